"""Contract: the official oss2 client, unmodified, against the local OSS server.

Every oss2 call the project relies on is exercised here with assertions on what a user
would notice (bytes, metadata, CRC, pagination, errors), plus the ObjectEvent hook the
local FC builds OSS triggers on.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import oss2
import pytest
import requests
from oss2.credentials import StaticCredentialsProvider
from oss2.models import PartInfo

from localfc.services.oss import ObjectEvent, OssServer
from localfc.services.oss.crc64 import crc64

if TYPE_CHECKING:
    from pathlib import Path

KIB = 1024
PART = 100 * KIB  # the smallest part OSS accepts


def payload(size: int, seed: int = 0) -> bytes:
    return bytes((i * 31 + seed) % 251 for i in range(size))


def md5_etag(data: bytes) -> str:
    return hashlib.md5(data).hexdigest().upper()


def error_code(excinfo: pytest.ExceptionInfo[oss2.exceptions.OssError]) -> tuple[int, str]:
    return excinfo.value.status, excinfo.value.code


# --- put / get / head -----------------------------------------------------------------------


def test_put_get_roundtrip_keeps_bytes_type_and_user_meta(bucket: oss2.Bucket) -> None:
    data = payload(3000)
    put = bucket.put_object(
        "dir/a b+c.bin",
        data,
        headers={"Content-Type": "application/x-test", "x-oss-meta-Owner": "alice", "x-oss-meta-kebab-case": "1"},
    )
    assert put.status == 200 and put.etag == put.etag.upper()
    got = bucket.get_object("dir/a b+c.bin")
    assert got.read() == data
    assert got.headers["Content-Type"] == "application/x-test"
    assert got.headers["x-oss-meta-owner"] == "alice"
    assert got.headers["x-oss-meta-kebab-case"] == "1"
    assert got.etag == put.etag
    assert got.headers["x-oss-object-type"] == "Normal"
    assert got.headers["x-oss-storage-class"] == "Standard"
    assert [o.key for o in oss2.ObjectIterator(bucket)] == ["dir/a b+c.bin"]
    assert [o.key for o in oss2.ObjectIteratorV2(bucket)] == ["dir/a b+c.bin"]


def test_get_range_and_streaming_read(bucket: oss2.Bucket) -> None:
    data = payload(300 * KIB)
    bucket.put_object("big", data)
    part = bucket.get_object("big", byte_range=(1000, 1999))
    assert part.status == 206
    assert part.read() == data[1000:2000]
    # OSS answers an unsatisfiable range with the whole object, unless told to be standard.
    assert bucket.get_object("big", byte_range=(10**9, 10**9 + 1)).read() == data
    with pytest.raises(oss2.exceptions.ServerError) as excinfo:
        bucket.get_object("big", byte_range=(10**9, 10**9 + 1), headers={"x-oss-range-behavior": "standard"})
    assert error_code(excinfo) == (416, "InvalidRange")
    stream = bucket.get_object("big")
    chunks = []
    while chunk := stream.read(64 * KIB):
        chunks.append(chunk)
    assert len(chunks) > 1
    assert b"".join(chunks) == data


def test_put_streams_an_iterator_upload(bucket: oss2.Bucket) -> None:
    # A generator has no length: oss2 sends it with chunked transfer encoding.
    pieces = [payload(50 * KIB, seed) for seed in range(3)]
    bucket.put_object("chunked", iter(pieces))
    assert bucket.get_object("chunked").read() == b"".join(pieces)


def test_head_and_get_object_meta(bucket: oss2.Bucket) -> None:
    bucket.put_object("k", b"12345", headers={"x-oss-meta-tag": "v"})
    head = bucket.head_object("k")
    assert head.content_length == 5
    assert head.headers["x-oss-meta-tag"] == "v"
    assert head.server_crc == crc64(b"12345")
    meta = bucket.get_object_meta("k")
    assert meta.content_length == 5
    assert meta.etag == head.etag
    assert abs(meta.last_modified - time.time()) < 120


def test_object_exists_tells_missing_key_from_missing_bucket(
    bucket: oss2.Bucket, local_oss: OssServer, bucket_name: str
) -> None:
    bucket.put_object("here", b"x")
    assert bucket.object_exists("here")
    assert not bucket.object_exists("not-here")
    with OssServer(auto_create_buckets=False) as strict:
        missing = oss2.Bucket(oss2.Auth("ak", "sk"), strict.endpoint, bucket_name + "-absent")
        with pytest.raises(oss2.exceptions.NoSuchBucket):
            missing.object_exists("anything")


def test_head_errors_carry_the_oss_error_code(bucket: oss2.Bucket) -> None:
    with pytest.raises(oss2.exceptions.NoSuchKey) as excinfo:
        bucket.head_object("absent")
    assert excinfo.value.status == 404
    assert excinfo.value.headers.get("x-oss-err")  # base64 error XML, as OSS sends it


def test_forbid_overwrite_refuses_an_existing_key(bucket: oss2.Bucket) -> None:
    bucket.put_object("once", b"first", headers={"x-oss-forbid-overwrite": "true"})
    with pytest.raises(oss2.exceptions.ServerError) as excinfo:
        bucket.put_object("once", b"second", headers={"x-oss-forbid-overwrite": "true"})
    assert error_code(excinfo) == (409, "FileAlreadyExists")
    with pytest.raises(oss2.exceptions.ServerError):
        bucket.copy_object(bucket.bucket_name, "once", "once", headers={"x-oss-forbid-overwrite": "true"})
    assert bucket.get_object("once").read() == b"first"


def test_image_processing_and_callbacks_are_refused_not_ignored(bucket: oss2.Bucket) -> None:
    bucket.put_object("pic.jpg", b"\xff\xd8not really a jpeg")
    with pytest.raises(oss2.exceptions.ServerError) as excinfo:
        bucket.get_object("pic.jpg", process="image/resize,w_10")
    assert error_code(excinfo) == (501, "NotImplemented")
    with pytest.raises(oss2.exceptions.ServerError) as excinfo:
        bucket.put_object("cb", b"x", headers={"x-oss-callback": "e30="})
    assert error_code(excinfo) == (501, "NotImplemented")
    assert not bucket.object_exists("cb")


# --- CRC-64 -------------------------------------------------------------------------------


def test_crc64_is_sent_and_verified_end_to_end(bucket: oss2.Bucket, tmp_path: Path) -> None:
    assert bucket.enable_crc
    data = payload(200 * KIB, seed=7)
    put = bucket.put_object("crc", data)  # oss2 raises InconsistentError on a mismatch
    assert put.crc == crc64(data)
    got = bucket.get_object("crc")
    assert got.server_crc == crc64(data)
    target = tmp_path / "crc.bin"
    result = bucket.get_object_to_file("crc", str(target))  # verifies client vs server CRC
    assert result.client_crc == result.server_crc == crc64(data)
    assert target.read_bytes() == data


def test_a_wrong_crc_would_be_caught_by_oss2(bucket: oss2.Bucket) -> None:
    # The check oss2 runs with the server's header value: proves the header is not decorative.
    bucket.put_object("crc2", b"abc")
    server_crc = bucket.head_object("crc2").server_crc
    oss2.utils.check_crc("get", crc64(b"abc"), server_crc, "local")
    with pytest.raises(oss2.exceptions.InconsistentError):
        oss2.utils.check_crc("get", crc64(b"abd"), server_crc, "local")


# --- listing --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def listed_bucket(local_oss: OssServer) -> oss2.Bucket:
    """1,005 objects: a/0000..a/0999 plus b/x/0..4, so listings page past 1,000 keys."""
    name = f"list-{os.getpid()}"
    local_oss.create_bucket(name)
    bucket = oss2.Bucket(oss2.Auth("ak", "sk"), local_oss.endpoint, name)
    keys = [f"a/{i:04d}" for i in range(1000)] + [f"b/x/{i}" for i in range(5)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda key: bucket.put_object(key, key.encode()), keys))
    return bucket


def test_object_iterator_pages_past_1000_keys(listed_bucket: oss2.Bucket) -> None:
    keys = [o.key for o in oss2.ObjectIterator(listed_bucket, max_keys=1000)]
    assert len(keys) == 1005
    assert keys == sorted(keys)
    first = listed_bucket.list_objects(max_keys=1000)
    assert first.is_truncated and first.next_marker == "a/0999"
    assert first.object_list[0].type == "Normal"
    rest = listed_bucket.list_objects(marker=first.next_marker, max_keys=1000)
    assert [o.key for o in rest.object_list] == [f"b/x/{i}" for i in range(5)]
    assert not rest.is_truncated


def test_object_iterator_v2_pages_past_1000_keys(listed_bucket: oss2.Bucket) -> None:
    infos = list(oss2.ObjectIteratorV2(listed_bucket, max_keys=1000))
    assert len(infos) == 1005
    assert infos[-1].key == "b/x/4" and infos[-1].size == len(b"b/x/4")
    assert infos[0].storage_class == "Standard"
    first = listed_bucket.list_objects_v2(max_keys=1000)
    assert first.is_truncated and first.next_continuation_token


def test_listing_with_prefix_and_delimiter(listed_bucket: oss2.Bucket) -> None:
    top = list(oss2.ObjectIterator(listed_bucket, delimiter="/"))
    assert [(o.key, o.is_prefix()) for o in top] == [("a/", True), ("b/", True)]
    nested = list(oss2.ObjectIteratorV2(listed_bucket, prefix="b/", delimiter="/"))
    assert [o.key for o in nested] == ["b/x/"]
    small_pages = [o.key for o in oss2.ObjectIterator(listed_bucket, prefix="a/09", max_keys=7)]
    assert small_pages == [f"a/{i:04d}" for i in range(900, 1000)]


# --- delete / copy --------------------------------------------------------------------------


def test_delete_and_batch_delete(bucket: oss2.Bucket) -> None:
    for key in ("one", "two", "three", "sp ace&amp"):
        bucket.put_object(key, b"x")
    bucket.delete_object("one")
    assert not bucket.object_exists("one")
    result = bucket.batch_delete_objects(["two", "sp ace&amp", "never-existed"])
    assert sorted(result.deleted_keys) == sorted(["two", "sp ace&amp", "never-existed"])
    assert [o.key for o in oss2.ObjectIterator(bucket)] == ["three"]


def test_copy_object_keeps_or_replaces_metadata(bucket: oss2.Bucket, local_oss: OssServer) -> None:
    bucket.put_object("src/ü.txt", b"copy me", headers={"x-oss-meta-a": "1", "Content-Type": "text/plain"})
    copied = bucket.copy_object(bucket.bucket_name, "src/ü.txt", "dst.txt")
    assert copied.etag == bucket.head_object("src/ü.txt").etag
    assert copied.crc == crc64(b"copy me")
    head = bucket.head_object("dst.txt")
    assert head.headers["x-oss-meta-a"] == "1" and head.content_type == "text/plain"
    bucket.update_object_meta("dst.txt", {"x-oss-meta-b": "2", "Content-Type": "text/csv"})
    head = bucket.head_object("dst.txt")
    assert head.headers["x-oss-meta-b"] == "2" and "x-oss-meta-a" not in head.headers
    assert head.content_type == "text/csv"
    assert bucket.get_object("dst.txt").read() == b"copy me"


# --- multipart ------------------------------------------------------------------------------


def test_multipart_init_upload_list_complete(bucket: oss2.Bucket) -> None:
    parts_data = [payload(PART, 1), payload(PART, 2), payload(1234, 3)]
    upload_id = bucket.init_multipart_upload("mp", headers={"x-oss-meta-kind": "mp"}).upload_id
    parts = []
    for number, data in enumerate(parts_data, start=1):
        result = bucket.upload_part("mp", upload_id, number, data)
        assert result.crc == crc64(data)
        parts.append(PartInfo(number, result.etag, size=len(data), part_crc=result.crc))
    listed = bucket.list_parts("mp", upload_id)
    assert [(p.part_number, p.size, p.etag) for p in listed.parts] == [(p.part_number, p.size, p.etag) for p in parts]
    uploads = [u.upload_id for u in oss2.MultipartUploadIterator(bucket)]
    assert upload_id in uploads
    done = bucket.complete_multipart_upload("mp", upload_id, parts)  # oss2 checks the CRC
    whole = b"".join(parts_data)
    assert done.crc == crc64(whole)
    assert done.etag.endswith("-3")
    got = bucket.get_object("mp")
    assert got.read() == whole
    assert got.headers["x-oss-object-type"] == "Multipart"
    assert got.headers["x-oss-meta-kind"] == "mp"


def test_multipart_abort_and_part_size_rule(bucket: oss2.Bucket) -> None:
    upload_id = bucket.init_multipart_upload("aborted").upload_id
    bucket.upload_part("aborted", upload_id, 1, b"tiny")
    bucket.abort_multipart_upload("aborted", upload_id)
    assert upload_id not in [u.upload_id for u in oss2.MultipartUploadIterator(bucket)]
    with pytest.raises(oss2.exceptions.NoSuchUpload):
        bucket.list_parts("aborted", upload_id)

    upload_id = bucket.init_multipart_upload("small").upload_id
    first = bucket.upload_part("small", upload_id, 1, payload(PART - 1))
    last = bucket.upload_part("small", upload_id, 2, b"end")
    with pytest.raises(oss2.exceptions.ServerError) as excinfo:
        bucket.complete_multipart_upload("small", upload_id, [PartInfo(1, first.etag), PartInfo(2, last.etag)])
    assert error_code(excinfo) == (400, "EntityTooSmall")


def test_resumable_upload_and_download(bucket: oss2.Bucket, tmp_path: Path) -> None:
    data = payload(350 * KIB, seed=5)
    source = tmp_path / "up.bin"
    source.write_bytes(data)
    oss2.resumable_upload(
        bucket,
        "resumable.bin",
        str(source),
        store=oss2.ResumableStore(root=str(tmp_path)),
        multipart_threshold=PART,
        part_size=PART,
        num_threads=2,
    )
    head = bucket.head_object("resumable.bin")
    assert head.object_type == "Multipart"
    assert head.server_crc == crc64(data)
    target = tmp_path / "down.bin"
    oss2.resumable_download(
        bucket,
        "resumable.bin",
        str(target),
        store=oss2.ResumableDownloadStore(root=str(tmp_path)),
        multiget_threshold=PART,
        part_size=PART,
        num_threads=2,
    )  # ranged GETs with If-Match, then a CRC check of the whole file
    assert target.read_bytes() == data


# --- append ---------------------------------------------------------------------------------


def test_append_object_positions_crc_and_type(bucket: oss2.Bucket) -> None:
    first = bucket.append_object("log", 0, b"hello ", headers={"Content-Type": "text/plain", "x-oss-meta-a": "1"})
    assert first.next_position == 6
    second = bucket.append_object("log", first.next_position, b"world", init_crc=first.crc)
    assert second.next_position == 11
    assert second.crc == crc64(b"hello world")
    with pytest.raises(oss2.exceptions.PositionNotEqualToLength) as excinfo:
        bucket.append_object("log", 3, b"!")
    assert excinfo.value.next_position == 11
    got = bucket.get_object("log")
    assert got.read() == b"hello world"
    assert got.headers["x-oss-object-type"] == "Appendable"
    assert got.content_type == "text/plain" and got.headers["x-oss-meta-a"] == "1"
    bucket.put_object("normal", b"x")
    with pytest.raises(oss2.exceptions.ObjectNotAppendable):
        bucket.append_object("normal", 1, b"y")


# --- auth: signed URLs, STS, V4, anonymous --------------------------------------------------


def test_signed_urls_get_and_put_and_expiry(bucket: oss2.Bucket) -> None:
    bucket.put_object("signed", b"secret")
    url = bucket.sign_url("GET", "signed", 60)
    assert "Signature=" in url
    assert requests.get(url, timeout=10).content == b"secret"
    put_url = bucket.sign_url("PUT", "uploaded", 60, headers={"Content-Type": "text/plain"})
    answer = requests.put(put_url, data=b"via url", headers={"Content-Type": "text/plain"}, timeout=10)
    assert answer.status_code == 200
    assert bucket.get_object("uploaded").read() == b"via url"
    expired = bucket.sign_url("GET", "signed", -10)
    answer = requests.get(expired, timeout=10)
    assert answer.status_code == 403
    assert b"<Code>AccessDenied</Code>" in answer.content


def test_sts_auth_headers_and_signed_url(local_oss: OssServer, bucket_name: str) -> None:
    sts = oss2.Bucket(oss2.StsAuth("STS.ak", "sk", "token-123"), local_oss.endpoint, bucket_name)
    sts.put_object("sts", b"via sts")
    assert sts.get_object("sts").read() == b"via sts"
    url = sts.sign_url("GET", "sts", 60)
    assert "security-token=" in url
    assert requests.get(url, timeout=10).content == b"via sts"


def test_v4_auth(local_oss: OssServer, bucket_name: str) -> None:
    provider = oss2.ProviderAuthV4(StaticCredentialsProvider("ak", "sk"))
    v4 = oss2.Bucket(provider, local_oss.endpoint, bucket_name, region="cn-hangzhou")
    v4.put_object("v4/obj", b"v4 bytes", headers={"x-oss-meta-v": "4"})
    assert v4.get_object("v4/obj").read() == b"v4 bytes"
    assert [o.key for o in oss2.ObjectIteratorV2(v4)] == ["v4/obj"]
    url = v4.sign_url("GET", "v4/obj", 60)
    assert "x-oss-signature-version=OSS4-HMAC-SHA256" in url
    assert requests.get(url, timeout=10).content == b"v4 bytes"
    assert requests.get(v4.sign_url("GET", "v4/obj", -60), timeout=10).status_code == 403
    plain_v4 = oss2.Bucket(oss2.AuthV4("ak", "sk"), local_oss.endpoint, bucket_name, region="cn-hangzhou")
    assert plain_v4.get_object("v4/obj").headers["x-oss-meta-v"] == "4"


def test_anonymous_requests_get_only_what_acls_grant(bucket: oss2.Bucket, local_oss: OssServer) -> None:
    bucket.put_object("private", b"p")
    bucket.put_object("public", b"q", headers={"x-oss-object-acl": "public-read"})
    anonymous = oss2.Bucket(oss2.AnonymousAuth(), local_oss.endpoint, bucket.bucket_name)
    with pytest.raises(oss2.exceptions.AccessDenied):
        anonymous.get_object("private")
    assert requests.get(f"{local_oss.endpoint}/{bucket.bucket_name}/private", timeout=10).status_code == 403
    assert anonymous.get_object("public").read() == b"q"
    with pytest.raises(oss2.exceptions.AccessDenied):
        anonymous.put_object("new", b"n")
    with pytest.raises(oss2.exceptions.AccessDenied):
        anonymous.delete_object("public")
    with pytest.raises(oss2.exceptions.AccessDenied):
        anonymous.list_objects()
    assert bucket.get_object_acl("public").acl == "public-read"
    bucket.put_bucket_acl(oss2.BUCKET_ACL_PUBLIC_READ)
    assert anonymous.get_object("private").read() == b"p"
    assert bucket.get_bucket_acl().acl == "public-read"


# --- buckets --------------------------------------------------------------------------------


def test_bucket_info_and_list_buckets(bucket: oss2.Bucket, local_oss: OssServer) -> None:
    info = bucket.get_bucket_info()
    assert info.name == bucket.bucket_name and info.location == "oss-cn-hangzhou"
    assert bucket.get_bucket_location().location == "oss-cn-hangzhou"
    service = oss2.Service(oss2.Auth("ak", "sk"), local_oss.endpoint)
    assert bucket.bucket_name in [b.name for b in oss2.BucketIterator(service)]


def test_buckets_by_flag_only_when_auto_create_is_off(bucket_name: str) -> None:
    with OssServer(buckets=[bucket_name + "-flag"], auto_create_buckets=False) as strict:
        auth = oss2.Auth("ak", "sk")
        oss2.Bucket(auth, strict.endpoint, bucket_name + "-flag").put_object("k", b"v")
        other = oss2.Bucket(auth, strict.endpoint, bucket_name + "-other")
        with pytest.raises(oss2.exceptions.NoSuchBucket):
            other.put_object("k", b"v")
        strict.create_bucket(bucket_name + "-other")
        other.put_object("k", b"v")
        assert other.get_object("k").read() == b"v"


# --- PostObject -----------------------------------------------------------------------------


def _policy(expires_in: int) -> str:
    expiry = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + expires_in))
    return base64.b64encode(json.dumps({"expiration": expiry, "conditions": []}).encode()).decode()


def test_post_object_form_upload(bucket: oss2.Bucket, local_oss: OssServer) -> None:
    url = f"{local_oss.endpoint}/{bucket.bucket_name}"
    form = {
        "key": "forms/${filename}",
        "OSSAccessKeyId": "ak",
        "policy": _policy(60),
        "Signature": "not-checked",
        "x-oss-meta-source": "form",
        "success_action_status": "201",
    }
    answer = requests.post(url, data=form, files={"file": ("report.txt", b"form bytes", "text/plain")}, timeout=10)
    assert answer.status_code == 201 and b"<Key>forms/report.txt</Key>" in answer.content
    got = bucket.get_object("forms/report.txt")
    assert got.read() == b"form bytes" and got.headers["x-oss-meta-source"] == "form"
    form["policy"] = _policy(-60)
    expired = requests.post(url, data=form, files={"file": ("x.txt", b"x")}, timeout=10)
    assert expired.status_code == 403


# --- where OSS's documentation differs from S3 (and moto): localfc/services/oss/admission.py --


@pytest.mark.parametrize(
    ("key", "ec"),
    [
        pytest.param("/leading-slash", "0016-00000005", id="leading-slash"),
        pytest.param("\\leading-backslash", "0016-00000005", id="leading-backslash"),
        pytest.param("k" * 1024, "0016-00000002", id="1024-bytes"),
        pytest.param("é" * 512, "0016-00000002", id="1024-utf8-bytes"),
        pytest.param("tab\there", None, id="control-character"),  # UNCONFIRMED on OSS: refused, the safe side
    ],
)
def test_object_names_follow_oss_naming_rules(bucket: oss2.Bucket, key: str, ec: str | None) -> None:
    with pytest.raises(oss2.exceptions.OssError) as excinfo:
        bucket.put_object(key, b"x")
    assert error_code(excinfo) == (400, "InvalidObjectName")
    assert excinfo.value.details.get("EC") == ec
    bucket.put_object("k" * 1023, b"x")  # 1,023 bytes is the longest name
    assert [o.key for o in oss2.ObjectIterator(bucket)] == ["k" * 1023]


def test_an_invalid_bucket_name_is_invalid_bucket_name_not_a_500(local_oss: OssServer) -> None:
    # With auto-creation on, moto's refusal to create "t1" used to surface as a 500 (oss2
    # checks names itself, so the request is sent raw; signatures are not checked).
    answer = requests.put(f"{local_oss.endpoint}/t1/k", data=b"x", headers={"Authorization": "OSS ak:x"}, timeout=10)
    assert answer.status_code == 400 and b"<Code>InvalidBucketName</Code>" in answer.content


def test_user_metadata_names_with_underscores_are_refused(bucket: oss2.Bucket) -> None:
    with pytest.raises(oss2.exceptions.OssError) as excinfo:
        bucket.put_object("meta", b"x", headers={"x-oss-meta-snake_case": "1"})
    assert error_code(excinfo) == (400, "InvalidArgument")
    assert excinfo.value.details.get("EC") == "0011-00000004"
    assert not bucket.object_exists("meta")


@pytest.mark.parametrize("number", [0, 10001])
def test_part_numbers_outside_1_to_10000_are_invalid_arguments(bucket: oss2.Bucket, number: int) -> None:
    upload_id = bucket.init_multipart_upload("parts").upload_id
    with pytest.raises(oss2.exceptions.OssError) as excinfo:
        bucket.upload_part("parts", upload_id, number, payload(PART))
    assert error_code(excinfo) == (400, "InvalidArgument")  # moto: part 0 was a 404 NoSuchUpload
    assert "between 1 and 10000" in excinfo.value.message


def test_complete_refuses_parts_out_of_order(bucket: oss2.Bucket) -> None:
    upload_id = bucket.init_multipart_upload("order").upload_id
    etags = [bucket.upload_part("order", upload_id, n, payload(PART, n)).etag for n in (1, 2)]
    # oss2 sorts the parts it sends: the XML is written by hand, in the wrong order.
    body = "".join(f"<Part><PartNumber>{n}</PartNumber><ETag>{etags[n - 1]}</ETag></Part>" for n in (2, 1))
    url = bucket.sign_url("POST", "order", 60, params={"uploadId": upload_id})
    answer = requests.post(url, data=f"<CompleteMultipartUpload>{body}</CompleteMultipartUpload>", timeout=10)
    assert answer.status_code == 400 and b"<Code>InvalidPartOrder</Code>" in answer.content
    bucket.complete_multipart_upload("order", upload_id, [PartInfo(n, etags[n - 1]) for n in (1, 2)])
    assert bucket.get_object("order").read() == payload(PART, 1) + payload(PART, 2)


@pytest.mark.parametrize("max_keys", [0, 1001])
def test_max_keys_outside_1_to_1000_is_an_invalid_argument(bucket: oss2.Bucket, max_keys: int) -> None:
    for listing in (bucket.list_objects, bucket.list_objects_v2):
        with pytest.raises(oss2.exceptions.OssError) as excinfo:
            listing(max_keys=max_keys)
        assert error_code(excinfo) == (400, "InvalidArgument")  # S3 caps it silently at 1000


def test_a_listing_without_max_keys_returns_100(bucket: oss2.Bucket, local_oss: OssServer) -> None:
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: bucket.put_object(f"n/{i:03d}", b""), range(120)))
    # oss2 always sends max-keys: a raw request without it (signatures are not checked).
    url = f"{local_oss.endpoint}/{bucket.bucket_name}/"
    answer = requests.get(url, headers={"Authorization": "OSS test-ak:unchecked"}, timeout=10)
    assert answer.content.count(b"<Key>") == 100  # OSS's default; S3's is 1000


@pytest.mark.parametrize(
    ("range_header", "standard", "status", "body"),
    [
        ("bytes=2-5", False, 206, b"2345"),
        ("bytes=-3", False, 206, b"789"),
        ("bytes=5-100", False, 200, b"0123456789"),  # end beyond the object: ignored
        ("bytes=5-100", True, 206, b"56789"),  # ...unless standard: clamped
        ("bytes=100-200", False, 200, b"0123456789"),
        ("bytes=100-200", True, 416, None),
        ("bytes=abc", False, 200, b"0123456789"),  # malformed: ignored
        ("byte=0-3", False, 200, b"0123456789"),  # wrong unit: ignored (moto served it)
        ("bytes=6-2", True, 200, b"0123456789"),  # backwards: ignored
        ("bytes=0-1,3-4", False, 206, b"01"),  # several ranges: the first one
        ("bytes=0-1,3-4", True, 416, None),
    ],
)
def test_get_range_follows_oss(
    bucket: oss2.Bucket, range_header: str, standard: bool, status: int, body: bytes | None
) -> None:
    bucket.put_object("digits", b"0123456789")
    headers = {"Range": range_header, **({"x-oss-range-behavior": "standard"} if standard else {})}
    if body is None:
        with pytest.raises(oss2.exceptions.OssError) as excinfo:
            bucket.get_object("digits", headers=headers)
        assert error_code(excinfo) == (416, "InvalidRange")
        return
    answer = bucket.get_object("digits", headers=headers)
    assert (answer.status, answer.read()) == (status, body)


def test_concurrent_puts_to_one_key_all_succeed_and_the_last_writer_wins(bucket: oss2.Bucket) -> None:
    # 32 to 49 of 100 such PUTs were 500s: moto disposed of a key another request still read.
    bodies = {payload(300 * KIB, seed) for seed in range(40)}

    def put(body: bytes) -> int:
        return bucket.put_object("contended", body).status

    with ThreadPoolExecutor(20) as pool:
        assert list(pool.map(put, bodies)) == [200] * len(bodies)
    final = bucket.get_object("contended")
    data = final.read()
    assert data in bodies
    assert final.etag == md5_etag(data)
    assert int(final.headers["x-oss-hash-crc64ecma"]) == crc64(data)


# --- the event hook -------------------------------------------------------------------------


def test_every_mutation_emits_its_event(bucket: oss2.Bucket, events: list[ObjectEvent], local_oss: OssServer) -> None:
    b = bucket
    b.put_object("p", b"12345", headers={"Content-Type": "text/plain", "x-oss-meta-who": "me"})
    b.copy_object(b.bucket_name, "p", "c")
    b.append_object("ap", 0, b"ab")
    upload_id = b.init_multipart_upload("mp").upload_id
    part = b.upload_part("mp", upload_id, 1, b"part")
    b.complete_multipart_upload("mp", upload_id, [PartInfo(1, part.etag)])
    aborted = b.init_multipart_upload("ab").upload_id
    b.abort_multipart_upload("ab", aborted)
    b.delete_object("p")
    b.batch_delete_objects(["c", "ap"])
    requests.post(
        f"{local_oss.endpoint}/{b.bucket_name}",
        data={"key": "form", "policy": _policy(60), "OSSAccessKeyId": "ak", "Signature": "s"},
        files={"file": ("f", b"f")},
        timeout=10,
    )
    b.get_object("mp").read()  # reads emit nothing
    assert [(e.event_name, e.key) for e in events] == [
        ("ObjectCreated:PutObject", "p"),
        ("ObjectCreated:CopyObject", "c"),
        ("ObjectCreated:AppendObject", "ap"),
        ("ObjectCreated:InitiateMultipartUpload", "mp"),
        ("ObjectCreated:UploadPart", "mp"),
        ("ObjectCreated:CompleteMultipartUpload", "mp"),
        ("ObjectCreated:InitiateMultipartUpload", "ab"),
        ("ObjectRemoved:AbortMultipartUpload", "ab"),
        ("ObjectRemoved:DeleteObject", "p"),
        ("ObjectRemoved:DeleteObjects", "c"),
        ("ObjectRemoved:DeleteObjects", "ap"),
        ("ObjectCreated:PostObject", "form"),
    ]
    put = events[0]
    assert (put.bucket, put.size, put.content_type, put.user_meta) == (b.bucket_name, 5, "text/plain", {"who": "me"})
    assert put.etag == events[1].etag == md5_etag(b"12345")
    assert put.source_ip == "127.0.0.1" and len(put.request_id) == 24
    assert events[4].size == 4 and events[4].etag == part.etag


def test_failed_requests_emit_nothing_and_a_failing_callback_breaks_nothing(
    bucket: oss2.Bucket, local_oss: OssServer
) -> None:
    seen: list[ObjectEvent] = []

    def explode(event: ObjectEvent) -> None:
        seen.append(event)
        raise RuntimeError("observer bug")

    local_oss.on_event = explode
    try:
        bucket.put_object("ok", b"stored anyway")
        with pytest.raises(oss2.exceptions.ServerError):
            bucket.put_object("ok", b"x", headers={"x-oss-forbid-overwrite": "true"})
    finally:
        local_oss.on_event = None
    assert [e.event_name for e in seen] == ["ObjectCreated:PutObject"]
    assert bucket.get_object("ok").read() == b"stored anyway"


def test_reset_forgets_objects_but_keeps_configured_buckets(bucket_name: str) -> None:
    with OssServer(buckets=[bucket_name + "-kept"]) as server:
        kept = oss2.Bucket(oss2.Auth("ak", "sk"), server.endpoint, bucket_name + "-kept")
        kept.put_object("k", b"v")
        server.reset()
        assert not kept.object_exists("k")
        kept.put_object("k2", b"v")
