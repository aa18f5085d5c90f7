"""Listing answers: the tags oss2 requires that S3 listings do not have."""

from __future__ import annotations

from urllib.parse import unquote
from xml.etree import ElementTree

from localfc.services.oss import moto_s3
from localfc.services.oss.translate import to_oss_storage_class
from localfc.services.oss.xml import text_of, upper_etags

__all__ = ["fix_list_buckets", "fix_list_objects", "fix_list_parts", "fix_list_uploads"]


def _ensure(parent: ElementTree.Element, tag: str, text: str) -> None:
    if parent.find(tag) is None:
        ElementTree.SubElement(parent, tag).text = text


def fix_list_objects(root: ElementTree.Element, bucket: str, version: int) -> None:
    """Add ``Type`` to each entry, OSS storage class names, and V1's ``NextMarker``."""
    url_encoded = text_of(root, "EncodingType") == "url"
    for entry in root.findall("Contents"):
        raw_key = text_of(entry, "Key") or ""
        obj = moto_s3.get_object(bucket, unquote(raw_key) if url_encoded else raw_key)
        _ensure(entry, "Type", obj.object_type if obj else "Normal")
        storage = entry.find("StorageClass")
        if storage is not None:
            storage.text = to_oss_storage_class(storage.text or "STANDARD")
    upper_etags(root)
    if version == 1 and text_of(root, "IsTruncated") == "true":
        # OSS's NextMarker is the last name listed (S3 leaves it out without a delimiter and
        # moto writes an opaque token): oss2 and users page on with it as the next marker.
        last = [n.text or "" for n in root.findall("Contents/Key")[-1:]]
        last += [n.text or "" for n in root.findall("CommonPrefixes/Prefix")[-1:]]
        decoded = {(unquote(raw) if url_encoded else raw): raw for raw in last}
        marker = root.find("NextMarker")
        if marker is None:
            marker = ElementTree.SubElement(root, "NextMarker")
        marker.text = decoded[max(decoded)] if decoded else ""


def fix_list_parts(root: ElementTree.Element) -> None:
    upper_etags(root)
    numbers = [n.text or "" for n in root.findall("Part/PartNumber")]
    _ensure(root, "NextPartNumberMarker", numbers[-1] if numbers else "")


def fix_list_uploads(root: ElementTree.Element) -> None:
    _ensure(root, "NextKeyMarker", "")
    _ensure(root, "NextUploadIdMarker", "")


def fix_list_buckets(root: ElementTree.Element, region: str, host: str) -> None:
    for bucket in root.findall("Buckets/Bucket"):
        _ensure(bucket, "Location", f"oss-{region}")
        _ensure(bucket, "Region", region)
        _ensure(bucket, "ExtranetEndpoint", host)
        _ensure(bucket, "IntranetEndpoint", host)
        _ensure(bucket, "StorageClass", "Standard")
