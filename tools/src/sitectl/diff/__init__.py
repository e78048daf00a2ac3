"""`sitectl diff`: what a change does to the rendered configuration, for a merge request.

git.py       the commits: base, head merged onto base (MR semantics), changed files
plan.py      what the change needs rendered: nothing, some kolla services, everything
run.py       end to end: commits -> plan -> two renders (sitectl.render) -> comparison
compare.py   two render directories -> grouped changes (inventory, kayobe variables,
             kolla globals, service -> file -> change with hosts collapsed) + plain diff
ini.py, inventory.py, hosts.py, services.py   what compare.py understands
secrets.py   tokens compared, never shown; defence in depth for anything else secret
model.py     the report as data; summary.py, markdown.py, html.py, output.py its views
gitlab.py    the MR note, created once and updated on later pushes
rehearsal.py `sitectl upgrade`: the site's and the release's changes told apart (three
             renders), what the new release rejects, its notes; rehearsal_report.py its views
demo.py      `sitectl diff --demo`
"""
