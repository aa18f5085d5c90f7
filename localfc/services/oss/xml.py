"""XML helpers for OSS control bodies (never object bodies).

oss2 finds tags without a namespace, so the S3 namespace moto writes has to go, and OSS
spells a few things differently: upper-case ETags, ``RequestId`` instead of ``RequestID``.
"""

from __future__ import annotations

from xml.etree import ElementTree

S3_NAMESPACE = b' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'

__all__ = ["error_body", "parse", "serialize", "strip_namespace", "text_of", "upper_etags"]


def strip_namespace(body: bytes) -> bytes:
    return body.replace(S3_NAMESPACE, b"")


def parse(body: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(strip_namespace(body))


def serialize(root: ElementTree.Element) -> bytes:
    text: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + text


def text_of(root: ElementTree.Element, path: str) -> str | None:
    node = root.find(path)
    return None if node is None else (node.text or "")


def upper_etags(root: ElementTree.Element) -> None:
    """OSS writes ETags in upper-case hex; moto in lower-case."""
    for node in root.iter("ETag"):
        if node.text:
            node.text = node.text.upper()


def error_body(code: str, message: str, request_id: str, host_id: str, **extra: str) -> bytes:
    root = ElementTree.Element("Error")
    for tag, text in (("Code", code), ("Message", message), ("RequestId", request_id)):
        ElementTree.SubElement(root, tag).text = text
    ElementTree.SubElement(root, "HostId").text = host_id
    for tag, text in extra.items():
        ElementTree.SubElement(root, tag).text = text
    return serialize(root)
