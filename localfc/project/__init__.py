"""The repository as ``s deploy`` sees it: s.yaml read and rendered (``syaml``), checked
offline (``validate``), and turned into the code packages FC receives (``package``)."""
