#!/usr/bin/env python3
"""Canopy's test images, built offline from the host's busybox-static.

  python3 scripts/images.py archive NAME:TAG OUT.tar [--entrypoint ...] [--cmd ...]
      writes a docker-archive tar (what `docker save` writes) for `ctr -n k8s.io images import`
  python3 scripts/images.py push REGISTRY NAME:TAG [--entrypoint ...] [--cmd ...]
      pushes the image to a plain-HTTP registry (e.g. 127.0.0.1:5000) with the Registry HTTP API v2
  python3 scripts/images.py artifact REGISTRY NAME:TAG FILE [--media-type TYPE]
      pushes FILE as an OCI artifact (an OCI manifest with the empty config and FILE as its single layer), e.g. a wasm
      module for the node's wasm runtime (code: REGISTRY/NAME:TAG)

--busybox PATH takes another static busybox than /bin/busybox. A dynamically linked one is refused: an image has no
loader or libraries, so every process in it would die at once (Debian's busybox-static replaces the dynamic busybox).
--entrypoint/--cmd take a JSON array ('["/bin/sh","-c","..."]') or a shell-quoted string; "" means none.
The one layer holds bin/busybox with links for about 100 common applets (sh, ls, cat, sleep, httpd, wget, ...),
www/index.html, tmp/ and a minimal etc/passwd; the config sets PATH=/bin.
Defaults: canopy/pause:* runs a shell that sleeps until TERM/INT; every other image runs
`httpd -f -p 8080 -h /www`, which serves www/index.html ("hello from canopy/busybox").

The images are reproducible: fixed timestamps and ordering, so the same NAME:TAG always has the same digest and a
second push uploads nothing. The page and a label name the image, so different tags are different images
(a pull of :2 after :1 really fetches a layer).

Standard library only; no network except the registry given to `push`.
"""

import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import platform
import shlex
import struct
import subprocess
import sys
import tarfile
import urllib.error
import urllib.parse
import urllib.request

BUSYBOX = "/bin/busybox"  # --busybox changes it
PT_INTERP = 3
EPOCH = 0  # every timestamp in the image, so that the digests do not change between builds
CREATED = "1970-01-01T00:00:00Z"
PAUSE_ENTRYPOINT = ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"]
HTTPD_CMD = ["httpd", "-f", "-p", "8080", "-h", "/www"]

MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_V1 = "application/vnd.docker.container.image.v1+json"
LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def fail(message):
    print(f"images.py: {message}", file=sys.stderr)
    sys.exit(1)


def split_reference(ref):
    """'host:5000/a/b:tag' -> ('host:5000/a/b', 'tag'); the tag is the part after the last ':' past the last '/'."""
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        return ref[:colon], ref[colon + 1:]
    return ref, "latest"


def parse_command(value):
    if value is None:
        return None
    value = value.strip()
    if value == "":
        return []
    if value.startswith("["):
        parsed = json.loads(value)
        if not isinstance(parsed, list) or not all(isinstance(x, str) for x in parsed):
            fail(f"not a JSON array of strings: {value}")
        return parsed
    return shlex.split(value)


# The applets linked into /bin. Not all ~270 of `busybox --list`: containerd spends about 1 ms per file unpacking a
# layer on this kind of machine, so the full set would double the pull time. Anything else runs as `busybox APPLET`.
COMMON_APPLETS = """
    [ [[ ash awk base64 basename cat chmod chown cp cut date dd df dirname du echo egrep env expr false fgrep find free
    grep gunzip gzip head hexdump hostname httpd id ifconfig ip kill killall less ln logger ls md5sum mkdir mktemp more
    mount mv nc netstat nohup nproc nslookup od pidof ping printf ps pwd readlink realpath rm rmdir route sed seq
    sha256sum sh sleep sort stat sync tail tar tee test timeout top touch tr true umount uname uniq uptime usleep vi
    watch wc wget which whoami xargs yes zcat
""".split()


def elf_linking(data):
    """('static', None), ('dynamic', loader) or ('not-elf', None): a dynamic executable has a PT_INTERP program header."""
    if len(data) < 52 or data[:4] != b"\x7fELF" or data[4] not in (1, 2) or data[5] not in (1, 2):
        return "not-elf", None
    wide, order = data[4] == 2, "<" if data[5] == 1 else ">"
    if wide:
        if len(data) < 64:
            return "not-elf", None
        (table,) = struct.unpack_from(order + "Q", data, 32)
        entry_size, entries = struct.unpack_from(order + "HH", data, 54)
    else:
        (table,) = struct.unpack_from(order + "I", data, 28)
        entry_size, entries = struct.unpack_from(order + "HH", data, 42)
    if entries and (entry_size < (56 if wide else 32) or table + entries * entry_size > len(data)):
        return "not-elf", None
    for i in range(entries):
        at = table + i * entry_size
        if struct.unpack_from(order + "I", data, at)[0] != PT_INTERP:
            continue
        word = order + ("Q" if wide else "I")
        (offset,) = struct.unpack_from(word, data, at + (8 if wide else 4))
        (size,) = struct.unpack_from(word, data, at + (32 if wide else 16))
        return "dynamic", data[offset:offset + size].rstrip(b"\0").decode(errors="replace") or None
    return "static", None


def read_busybox():
    """The busybox's bytes; refuses a missing, dynamically linked or non-ELF file with what to do about it."""
    fix = "apt-get install busybox-static (it replaces Debian's dynamically linked busybox package), or pass --busybox PATH"
    if not os.path.isfile(BUSYBOX):
        fail(f"{BUSYBOX} is missing: {fix}")
    with open(BUSYBOX, "rb") as f:
        data = f.read()
    linking, loader = elf_linking(data)
    if linking == "dynamic":
        fail(f"{BUSYBOX} is dynamically linked (loader {loader}); an image needs a statically linked busybox: {fix}")
    if linking != "static":
        fail(f"{BUSYBOX} is not an ELF executable; an image needs a statically linked busybox: {fix}")
    if not os.access(BUSYBOX, os.X_OK):
        fail(f"{BUSYBOX} is not executable (chmod +x it)")
    return data


def applets():
    """The COMMON_APPLETS this busybox has (`busybox --list`)."""
    out = subprocess.run([BUSYBOX, "--list"], check=True, capture_output=True, text=True).stdout
    available = {line.strip() for line in out.splitlines() if line.strip()}
    if "sh" not in available:
        fail(f"{BUSYBOX} has no sh applet; install Debian's busybox-static")
    return sorted(available.intersection(COMMON_APPLETS))


def tar_info(name, kind=tarfile.REGTYPE, mode=0o644, size=0, linkname=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.size = size
    info.linkname = linkname
    info.mtime = EPOCH
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def build_layer(repository, tag):
    """The one layer: busybox, a symlink per applet, a web root, /tmp and a minimal /etc."""
    page = (
        "<!DOCTYPE html>\n<html><head><title>canopy</title></head><body>\n"
        "<h1>hello from canopy/busybox</h1>\n"
        f"<p>image {repository}:{tag}</p>\n"
        "</body></html>\n"
    ).encode()
    files = {
        "etc/passwd": b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
        "etc/group": b"root:x:0:\nnogroup:x:65534:\n",
        "www/index.html": page,
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for directory, mode in (("bin", 0o755), ("etc", 0o755), ("root", 0o700), ("tmp", 0o1777), ("www", 0o755)):
            tar.addfile(tar_info(directory + "/", tarfile.DIRTYPE, mode))
        data = read_busybox()
        tar.addfile(tar_info("bin/busybox", mode=0o755, size=len(data)), io.BytesIO(data))
        for applet in applets():
            if applet != "busybox":
                tar.addfile(tar_info(f"bin/{applet}", tarfile.SYMTYPE, 0o777, linkname="busybox"))
        for name, content in sorted(files.items()):
            tar.addfile(tar_info(name, size=len(content)), io.BytesIO(content))
    return buffer.getvalue()


def architecture():
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)


def build_image(reference, entrypoint, cmd):
    repository, tag = split_reference(reference)
    is_pause = repository.endswith("pause")
    if entrypoint is None:
        entrypoint = PAUSE_ENTRYPOINT if is_pause else []
    if cmd is None:
        cmd = [] if is_pause else HTTPD_CMD
    layer = build_layer(repository, tag)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = {
        "architecture": architecture(),
        "os": "linux",
        "created": CREATED,
        "config": {
            "Env": ["PATH=/bin"],
            "Entrypoint": entrypoint or None,
            "Cmd": cmd or None,
            "WorkingDir": "/",
            "Labels": {"org.canopy.image": f"{repository}:{tag}"},
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": CREATED, "created_by": "scripts/images.py (busybox-static)"}],
    }
    config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    return repository, tag, layer, diff_id, config_bytes


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def write_archive(reference, out, entrypoint, cmd):
    repository, tag, layer, diff_id, config = build_image(reference, entrypoint, cmd)
    config_name = sha256(config)[len("sha256:"):] + ".json"
    layer_name = diff_id[len("sha256:"):] + "/layer.tar"
    manifest = json.dumps([{"Config": config_name, "RepoTags": [f"{repository}:{tag}"], "Layers": [layer_name]}]).encode()
    directory = os.path.dirname(os.path.abspath(out))
    os.makedirs(directory, exist_ok=True)
    temporary = out + ".tmp"
    with tarfile.open(temporary, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        tar.addfile(tar_info(diff_id[len("sha256:"):] + "/", tarfile.DIRTYPE, 0o755))
        for name, content in ((layer_name, layer), (config_name, config), ("manifest.json", manifest)):
            tar.addfile(tar_info(name, size=len(content)), io.BytesIO(content))
    os.replace(temporary, out)  # never leave a half-written archive where a test looks for one
    print(f"{repository}:{tag} -> {out} (config {sha256(config)})")


class Registry:
    """Just enough of the Registry HTTP API v2 (plain HTTP) to push one image. With $CANOPY_REGISTRY_AUTH (user:password,
    taken from the environment so it is in no process list) every request carries it as basic auth (distribution's htpasswd)."""

    def __init__(self, address):
        self.base = address if "://" in address else "http://" + address
        auth = os.environ.get("CANOPY_REGISTRY_AUTH")
        self.auth = {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}

    def request(self, method, url, body=None, headers=None):
        target = url if "://" in url else self.base + url
        req = urllib.request.Request(target, data=body, method=method, headers={**(headers or {}), **self.auth})
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                response.read()
                return response.status, response.headers
        except urllib.error.HTTPError as e:
            detail = e.read().decode(errors="replace").strip()
            fail(f"{method} {target} -> HTTP {e.code}: {detail}")
        except urllib.error.URLError as e:
            fail(f"registry {self.base} is not reachable ({e.reason}); start it with scripts/test-registry.sh up")

    def has_blob(self, name, digest):
        req = urllib.request.Request(f"{self.base}/v2/{name}/blobs/{digest}", method="HEAD", headers=self.auth)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return response.status == 200
        except urllib.error.HTTPError:
            return False

    def push_blob(self, name, data):
        digest = sha256(data)
        if self.has_blob(name, digest):
            return digest
        _, headers = self.request("POST", f"/v2/{name}/blobs/uploads/", body=b"")
        location = headers.get("Location")
        if not location:
            fail(f"registry gave no upload location for {name}")
        location = urllib.parse.urljoin(self.base + "/", location)
        separator = "&" if "?" in location else "?"
        self.request(
            "PUT",
            f"{location}{separator}digest={urllib.parse.quote(digest)}",
            body=data,
            headers={"Content-Type": "application/octet-stream", "Content-Length": str(len(data))},
        )
        return digest

    def push_manifest(self, name, tag, manifest):
        self.request("PUT", f"/v2/{name}/manifests/{tag}", body=manifest, headers={"Content-Type": MANIFEST_V2})


def push(registry, reference, entrypoint, cmd):
    repository, tag, layer, _, config = build_image(reference, entrypoint, cmd)
    # containerd wants a compressed layer from a registry; mtime=0 keeps its digest stable.
    compressed = gzip.compress(layer, compresslevel=6, mtime=0)
    target = Registry(registry)
    config_digest = target.push_blob(repository, config)
    layer_digest = target.push_blob(repository, compressed)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": MANIFEST_V2,
        "config": {"mediaType": CONFIG_V1, "size": len(config), "digest": config_digest},
        "layers": [{"mediaType": LAYER_GZIP, "size": len(compressed), "digest": layer_digest}],
    }, indent=3).encode()
    target.push_manifest(repository, tag, manifest)
    print(f"pushed {registry}/{repository}:{tag} ({sha256(manifest)})")


OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
WASM_LAYER = "application/wasm"


def push_artifact(registry, reference, path, media_type):
    """An OCI 1.1 artifact: artifactType names what it is, the empty config, the file as its single layer."""
    repository, tag = split_reference(reference)
    with open(path, "rb") as f:
        data = f.read()
    target = Registry(registry)
    empty = b"{}"
    config_digest = target.push_blob(repository, empty)
    layer_digest = target.push_blob(repository, data)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": media_type,
        "config": {"mediaType": OCI_EMPTY, "size": len(empty), "digest": config_digest},
        "layers": [{"mediaType": media_type, "size": len(data), "digest": layer_digest,
                    "annotations": {"org.opencontainers.image.title": os.path.basename(path)}}],
    }, indent=3).encode()
    target.request("PUT", f"/v2/{repository}/manifests/{tag}", body=manifest, headers={"Content-Type": OCI_MANIFEST})
    print(f"pushed {registry}/{repository}:{tag} ({sha256(manifest)}, layer {layer_digest})")


def main():
    global BUSYBOX
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    archive = sub.add_parser("archive", help="write a docker-archive tar")
    archive.add_argument("reference", metavar="NAME:TAG")
    archive.add_argument("out", metavar="OUT.tar")
    upload = sub.add_parser("push", help="push to a plain-HTTP registry")
    upload.add_argument("registry", metavar="REGISTRY")
    upload.add_argument("reference", metavar="NAME:TAG")
    artifact = sub.add_parser("artifact", help="push a file as an OCI artifact to a plain-HTTP registry")
    artifact.add_argument("registry", metavar="REGISTRY")
    artifact.add_argument("reference", metavar="NAME:TAG")
    artifact.add_argument("file", metavar="FILE")
    artifact.add_argument("--media-type", default=WASM_LAYER, help="the layer's media type [default: application/wasm]")
    for p in (archive, upload):
        p.add_argument("--busybox", default=BUSYBOX, help="the statically linked busybox to build from [default: /bin/busybox]")
        p.add_argument("--entrypoint", help="JSON array or shell-quoted string")
        p.add_argument("--cmd", help="JSON array or shell-quoted string")
    args = parser.parse_args()
    if args.command == "artifact":
        push_artifact(args.registry, args.reference, args.file, args.media_type)
        return
    BUSYBOX = args.busybox
    entrypoint, cmd = parse_command(args.entrypoint), parse_command(args.cmd)
    if args.command == "archive":
        write_archive(args.reference, args.out, entrypoint, cmd)
    else:
        push(args.registry, args.reference, entrypoint, cmd)


if __name__ == "__main__":
    main()
