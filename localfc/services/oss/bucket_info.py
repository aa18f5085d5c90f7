"""OSS answers with no S3 counterpart, built from stored state: bucket info, location, ACLs."""

from __future__ import annotations

from xml.etree import ElementTree

from localfc.services.oss import moto_s3
from localfc.services.oss.errors import OssError
from localfc.services.oss.xml import serialize

__all__ = ["acl_xml", "bucket_info_xml", "location_xml"]

OWNER_ID = "local"


def _sub(parent: ElementTree.Element, tag: str, text: str | None = None) -> ElementTree.Element:
    node = ElementTree.SubElement(parent, tag)
    if text is not None:
        node.text = text
    return node


def _owner(parent: ElementTree.Element) -> None:
    owner = _sub(parent, "Owner")
    _sub(owner, "ID", OWNER_ID)
    _sub(owner, "DisplayName", OWNER_ID)


def _bucket(name: str) -> moto_s3.BucketView:
    bucket = moto_s3.get_bucket(name)
    if bucket is None:
        raise OssError(404, "NoSuchBucket", "The specified bucket does not exist.", details={"BucketName": name})
    return bucket


def bucket_info_xml(name: str, region: str, host: str) -> bytes:
    bucket = _bucket(name)
    root = ElementTree.Element("BucketInfo")
    node = _sub(root, "Bucket")
    _sub(node, "Name", name)
    _sub(node, "CreationDate", bucket.created.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    _sub(node, "Location", f"oss-{region}")
    _sub(node, "Region", region)
    _sub(node, "ExtranetEndpoint", host)
    _sub(node, "IntranetEndpoint", host)
    _sub(node, "StorageClass", "Standard")
    _sub(node, "DataRedundancyType", "LRS")
    _owner(node)
    _sub(_sub(node, "AccessControlList"), "Grant", bucket.acl)
    return serialize(root)


def location_xml(name: str, region: str) -> bytes:
    _bucket(name)
    root = ElementTree.Element("LocationConstraint")
    root.text = f"oss-{region}"
    return serialize(root)


def acl_xml(bucket: str, key: str) -> bytes:
    """GetBucketAcl (key "") or GetObjectAcl, in OSS's canned-ACL form."""
    if key:
        obj = moto_s3.get_object(bucket, key)
        if obj is None:
            _bucket(bucket)
            raise OssError(404, "NoSuchKey", "The specified key does not exist.", details={"Key": key})
        # moto gives every key "private"; OSS calls the inherited ACL "default".
        grant = "default" if obj.acl == "private" else obj.acl
    else:
        grant = _bucket(bucket).acl
    root = ElementTree.Element("AccessControlPolicy")
    _owner(root)
    _sub(_sub(root, "AccessControlList"), "Grant", grant)
    return serialize(root)
