"""The cloud services around FC, as local servers on 127.0.0.1 for the official clients:
``oss`` (moto's S3 engine behind the OSS dialect, for oss2) and ``sls`` (PutLogs), and the one
HTTP/1.1 server they and the FC port stand on (``http_server``, with ``http_connection``:
h11 framing, timeouts, backlog, connection cap, body limits; ``wsgi_environ``: what the app
sees of a request)."""
