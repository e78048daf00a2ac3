"""Container image builds: kolla-build's configuration as kayobe writes it, kolla's own image
tree and Dockerfiles (rendered offline by real `kolla-build --template-only`), and the planner
that decides which images a change must rebuild."""

from sitectl.images.pipeline import TEMPLATES

__all__ = ["TEMPLATES"]
