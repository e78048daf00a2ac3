"""RefStack through Rally: load lists from interop guidelines, tempest.conf from
python-tempestconf, the Rally tempest verifier from a pinned tempest release, reports."""
