"""The FC 3.0 OpenAPI (version 2023-03-30) as the local FC serves it: routing and FC's
error shape. The versions and aliases operations live with the store in ``fc.versions``."""
