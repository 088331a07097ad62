"""Sweep of huggingface_hub operations against a Hub endpoint (normally `model-release serve`).

Run: HF_ENDPOINT=... HF_TOKEN=... HF_HUB_DISABLE_XET=1 python sweep_hub_client.py <user> [--cli HF_BIN]
Prints one JSON line per operation: {"op", "ok", "error"?} and a closing summary line.
Each operation checks what the Hub would answer (a value, or the error class the Hub raises), so
"ok" means "behaves as on huggingface.co", not merely "did not raise".
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

import huggingface_hub as hh
from huggingface_hub import HfApi, HfFileSystem, ModelCard
from huggingface_hub.errors import (
    EntryNotFoundError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

user = sys.argv[1]
hf_bin = sys.argv[sys.argv.index("--cli") + 1] if "--cli" in sys.argv else None
api = HfApi()
endpoint = os.environ["HF_ENDPOINT"]
token = os.environ["HF_TOKEN"]
run = uuid.uuid4().hex[:6]
rid = f"{user}/sweep-{run}"
results = []
state = {}


def op(name):
    def deco(fn):
        t0 = time.time()
        try:
            r = fn()
            if r is False:
                raise AssertionError("unexpected result")
            results.append({"op": name, "ok": True})
        except BaseException as e:  # noqa: BLE001 - the sweep records every failure
            msg = f"{type(e).__name__}: {str(e)[:200]}".replace("\n", " ")
            results.append({"op": name, "ok": False, "error": msg})
        results[-1]["s"] = round(time.time() - t0, 2)
        print(json.dumps(results[-1]), flush=True)
        return fn

    return deco


def raises(exc, fn):
    try:
        fn()
    except exc:
        return True
    raise AssertionError(f"expected {exc.__name__}")


work = tempfile.mkdtemp(prefix="sweep-")
folder = os.path.join(work, "folder")
os.makedirs(os.path.join(folder, "sub"))
with open(os.path.join(folder, "config.json"), "w") as f:
    f.write('{"model_type": "llama"}\n')
with open(os.path.join(folder, "model.safetensors"), "wb") as f:
    f.write(os.urandom(2048))
with open(os.path.join(folder, "sub", "a.txt"), "w") as f:
    f.write("a\n")
with open(os.path.join(folder, "sub", "b.txt"), "w") as f:
    f.write("b\n")
CARD = "---\nlicense: apache-2.0\ntags:\n- robotics\npipeline_tag: text-generation\nlibrary_name: transformers\n---\n# Sweep\n"


@op("whoami")
def _():
    return api.whoami()["name"] == user


@op("create_repo")
def _():
    return api.create_repo(rid).repo_id == rid


@op("create_repo exist_ok")
def _():
    return api.create_repo(rid, exist_ok=True).repo_id == rid


@op("create_repo private")
def _():
    api.create_repo(rid + "-priv", private=True)
    return api.model_info(rid + "-priv").private is True


@op("create_repo dataset")
def _():
    api.create_repo(rid + "-ds", repo_type="dataset")
    return api.repo_exists(rid + "-ds", repo_type="dataset")


@op("repo_exists")
def _():
    return api.repo_exists(rid) and not api.repo_exists(f"{user}/nope-{run}")


@op("repo_exists namespace-less")
def _():
    return api.repo_exists(f"nope-{run}") is False


@op("repo_info case-insensitive")
def _():
    return api.model_info(rid.upper()).id.lower() == rid.lower()


@op("initial commit author is creator")
def _():
    c = api.list_repo_commits(rid)[-1]
    return c.title == "initial commit" and user in c.authors


@op("upload_file")
def _():
    api.upload_file(path_or_fileobj=CARD.encode(), path_in_repo="README.md", repo_id=rid)
    return api.file_exists(rid, "README.md")


@op("upload_folder")
def _():
    info = api.upload_folder(folder_path=folder, repo_id=rid, commit_message="folder")
    state["folder_commit"] = info.oid
    return api.file_exists(rid, "model.safetensors")


@op("create_commit parent_commit")
def _():
    head = api.model_info(rid).sha
    c = api.create_commit(
        rid,
        [hh.CommitOperationAdd("p.txt", b"p\n")],
        commit_message="with parent",
        parent_commit=head,
    )
    state["p_commit"] = c.oid
    return True


@op("create_commit stale parent -> 412")
def _():
    def stale():
        api.create_commit(
            rid, [hh.CommitOperationAdd("q.txt", b"q\n")], commit_message="stale", parent_commit=state["folder_commit"]
        )

    try:
        stale()
    except HfHubHTTPError as e:
        return e.response.status_code == 412
    return False


@op("create_commit create_pr")
def _():
    c = api.create_commit(rid, [hh.CommitOperationAdd("pr.txt", b"pr\n")], commit_message="a pr", create_pr=True)
    state["pr"] = c.pr_num
    return c.pr_num is not None


@op("list_repo_files")
def _():
    return {"config.json", "model.safetensors", "sub/a.txt"} <= set(api.list_repo_files(rid))


@op("list_repo_tree recursive expand")
def _():
    entries = list(api.list_repo_tree(rid, recursive=True, expand=True))
    return any(getattr(e, "lfs", None) for e in entries) and all(
        getattr(e, "last_commit", None) for e in entries if isinstance(e, hh.hf_api.RepoFile)
    )


@op("get_paths_info")
def _():
    infos = api.get_paths_info(rid, ["config.json", "sub"])
    return len(infos) == 2


@op("model_info")
def _():
    return api.model_info(rid).sha is not None


@op("model_info files_metadata")
def _():
    sib = {s.rfilename: s for s in api.model_info(rid, files_metadata=True).siblings}
    st = sib["model.safetensors"]
    return st.size == 2048 and st.lfs is not None and st.blob_id is not None and sib["config.json"].size is not None


@op("model_info cardData/tags/pipeline_tag/library_name")
def _():
    i = api.model_info(rid)
    return (
        i.card_data is not None
        and i.card_data.get("license") == "apache-2.0"
        and "robotics" in (i.tags or [])
        and i.pipeline_tag == "text-generation"
        and i.library_name == "transformers"
    )


@op("list_repo_commits")
def _():
    return len(api.list_repo_commits(rid)) >= 4


@op("create_branch")
def _():
    api.create_branch(rid, branch="dev")
    return True


@op("create_branch exist_ok")
def _():
    api.create_branch(rid, branch="dev", exist_ok=True)
    return True


@op("delete_branch")
def _():
    api.delete_branch(rid, branch="dev")
    return True


@op("create_tag")
def _():
    api.create_tag(rid, tag="v1.0", revision=state["p_commit"], tag_message="one")
    return True


@op("create_tag exist_ok")
def _():
    api.create_tag(rid, tag="v1.0", exist_ok=True)
    return True


@op("create_tag missing revision -> RevisionNotFound")
def _():
    return raises(RevisionNotFoundError, lambda: api.create_tag(rid, tag="v1.0", revision="nope"))


@op("list_repo_refs")
def _():
    refs = api.list_repo_refs(rid, include_pull_requests=True)
    return [t.name for t in refs.tags] == ["v1.0"] and len(refs.pull_requests or []) == 1


@op("hf_hub_download")
def _():
    p = hh.hf_hub_download(rid, "config.json", cache_dir=os.path.join(work, "c1"))
    return open(p).read() == '{"model_type": "llama"}\n'


@op("hf_hub_download at commit")
def _():
    p = hh.hf_hub_download(rid, "model.safetensors", revision=state["folder_commit"], cache_dir=os.path.join(work, "c2"))
    return os.path.getsize(p) == 2048


@op("snapshot_download at tag")
def _():
    p = hh.snapshot_download(rid, revision="v1.0", cache_dir=os.path.join(work, "c3"))
    return os.path.exists(os.path.join(p, "p.txt"))


@op("file_exists")
def _():
    return api.file_exists(rid, "config.json") and not api.file_exists(rid, "nope.txt")


@op("get_hf_file_metadata")
def _():
    m = hh.get_hf_file_metadata(hh.hf_hub_url(rid, "model.safetensors"))
    return m.size == 2048 and m.commit_hash is not None


@op("hf_hub_download missing -> EntryNotFound")
def _():
    return raises(EntryNotFoundError, lambda: hh.hf_hub_download(rid, "nope.txt", cache_dir=os.path.join(work, "c4")))


@op("HfFileSystem ls/read")
def _():
    fs = HfFileSystem()
    names = [x["name"] for x in fs.ls(rid, detail=True)]
    return f"{rid}/config.json" in names and fs.read_text(f"{rid}/sub/a.txt") == "a\n"


@op("HfFileSystem write")
def _():
    fs = HfFileSystem()
    with fs.open(f"{rid}/fs.txt", "w") as f:
        f.write("fs\n")
    return api.file_exists(rid, "fs.txt")


@op("ModelCard load/edit/upload")
def _():
    card = ModelCard.load(rid)
    card.text += "\nMore.\n"
    api.upload_file(path_or_fileobj=str(card).encode(), path_in_repo="README.md", repo_id=rid)
    return "More." in ModelCard.load(rid).text


# The client posts to https://huggingface.co/api/validate-yaml whatever HF_ENDPOINT says (repocard.py),
# so push_to_hub and metadata_update cannot work against any other endpoint offline.
@op("ModelCard.push_to_hub (client validates at huggingface.co)")
def _():
    ModelCard.load(rid).push_to_hub(rid)
    return True


@op("metadata_update (client validates at huggingface.co)")
def _():
    hh.metadata_update(rid, {"datasets": ["x/y"]}, overwrite=True)
    return api.model_info(rid).card_data.get("datasets") == ["x/y"]


def validate_yaml(content):
    # The request ModelCard.validate sends, addressed to HF_ENDPOINT instead of huggingface.co.
    return hh.get_session().post(
        f"{endpoint}/api/validate-yaml", json={"repoType": "model", "content": content}, headers={"Accept": "text/plain"}
    )


@op("validate-yaml rejects bad licence")
def _():
    r = validate_yaml("---\nlicense: not-a-license\n---\n# x\n")
    return r.status_code == 400 and '"license" must be one of' in r.text


@op("validate-yaml rejects model-index: 5")
def _():
    return validate_yaml("---\nmodel-index: 5\n---\n# x\n").status_code == 400


@op("validate-yaml accepts good card")
def _():
    return validate_yaml(CARD).status_code == 200


@op("update_repo_settings private")
def _():
    api.update_repo_settings(rid + "-priv", private=False)
    return api.model_info(rid + "-priv").private is False


@op("update_repo_settings gated")
def _():
    api.update_repo_settings(rid, gated="auto")
    return api.model_info(rid).gated == "auto"


@op("get_repo_discussions")
def _():
    ds = list(api.get_repo_discussions(rid))
    return any(d.is_pull_request and d.num == state["pr"] for d in ds)


@op("comment_discussion")
def _():
    api.comment_discussion(rid, state["pr"], "looks good")
    return True


@op("merge_pull_request")
def _():
    api.merge_pull_request(rid, state["pr"])
    return api.file_exists(rid, "pr.txt")


@op("delete_file")
def _():
    api.delete_file("p.txt", rid)
    return not api.file_exists(rid, "p.txt")


@op("delete_folder without trailing slash")
def _():
    api.delete_folder("sub", rid)
    return not api.file_exists(rid, "sub/a.txt")


@op("upload_folder respects remote .gitignore")
def _():
    api.upload_file(path_or_fileobj=b"*.log\n", path_in_repo=".gitignore", repo_id=rid)
    d = os.path.join(work, "ign")
    os.makedirs(d)
    open(os.path.join(d, "x.log"), "w").write("x")
    open(os.path.join(d, "y.txt"), "w").write("y")
    api.upload_folder(folder_path=d, repo_id=rid)
    return api.file_exists(rid, "y.txt") and not api.file_exists(rid, "x.log")


@op("upload_folder dataset")
def _():
    api.upload_folder(repo_id=rid + "-ds", folder_path=folder, repo_type="dataset")
    return api.file_exists(rid + "-ds", "model.safetensors", repo_type="dataset")


@op("super_squash_history")
def _():
    api.super_squash_history(rid + "-ds", repo_type="dataset")
    return len(api.list_repo_commits(rid + "-ds", repo_type="dataset")) == 1


@op("list_models author")
def _():
    return rid in [m.id for m in api.list_models(author=user)]


@op("list_datasets author")
def _():
    return rid + "-ds" in [d.id for d in api.list_datasets(author=user)]


@op("auth_check")
def _():
    api.auth_check(rid)
    return True


@op("duplicate_repo")
def _():
    api.duplicate_repo(rid, to_id=rid + "-dup")
    return api.file_exists(rid + "-dup", "config.json")


@op("move_repo")
def _():
    api.move_repo(rid + "-dup", rid + "-moved")
    return api.repo_exists(rid + "-moved") and not api.repo_exists(rid + "-dup")


@op("delete_tag")
def _():
    api.create_tag(rid, tag="v0-del")
    api.delete_tag(rid, tag="v0-del")
    return True


@op("If-None-Match -> 304")
def _():
    url = hh.hf_hub_url(rid, "config.json")
    r = hh.get_session().get(url, headers={"authorization": f"Bearer {token}"}, follow_redirects=True)
    etag = r.headers["etag"]
    r2 = hh.get_session().get(
        url, headers={"authorization": f"Bearer {token}", "if-none-match": etag}, follow_redirects=True
    )
    return r2.status_code == 304


@op("LFS resolve is a 302 redirect")
def _():
    url = hh.hf_hub_url(rid, "model.safetensors")
    r = hh.get_session().head(url, headers={"authorization": f"Bearer {token}"}, follow_redirects=False)
    return r.status_code == 302 and r.headers.get("location")


@op("401 carries X-Error-Code")
def _():
    r = hh.get_session().post(f"{endpoint}/api/repos/create", json={"name": "x"})
    return r.status_code == 401 and bool(r.headers.get("x-error-code"))


# The repo is gated by now: git authenticates as a user's credential helper would (token as password).
GIT_AUTH = ["-c", "http.extraHeader=Authorization: Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()]


@op("git ls-remote")
def _():
    out = subprocess.run(["git", *GIT_AUTH, "ls-remote", f"{endpoint}/{rid}"], capture_output=True, text=True, timeout=60)
    return out.returncode == 0 and "refs/tags/v1.0" in out.stdout


@op("git clone + lfs pull")
def _():
    d = os.path.join(work, "clone")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    subprocess.run(
        ["git", *GIT_AUTH, "clone", "-q", f"{endpoint}/{rid}", d], check=True, env=env, timeout=60, capture_output=True
    )
    subprocess.run(["git", *GIT_AUTH, "lfs", "pull"], cwd=d, check=True, env=env, timeout=60, capture_output=True)
    return os.path.getsize(os.path.join(d, "model.safetensors")) == 2048


@op("delete_repo")
def _():
    api.delete_repo(rid + "-moved", missing_ok=True)
    return not api.repo_exists(rid + "-moved")


# The `hf` CLI, step by step as a new user would type it.
if hf_bin:
    cli_repo = f"{user}/cli-{run}"
    cli_dir = os.path.join(work, "cli")
    os.makedirs(cli_dir)
    open(os.path.join(cli_dir, "w.bin"), "wb").write(os.urandom(1024))
    open(os.path.join(cli_dir, "README.md"), "w").write(CARD)
    steps = [
        ["auth", "whoami"],
        ["repos", "create", cli_repo],
        ["repos", "create", cli_repo, "--exist-ok"],
        ["upload", cli_repo, cli_dir, "."],
        ["upload", cli_repo, cli_dir, ".", "--commit-message", "again"],
        ["repos", "tag", "create", cli_repo, "v1"],
        ["repos", "tag", "list", cli_repo],
        ["repos", "branch", "create", cli_repo, "dev"],
        ["repos", "branch", "delete", cli_repo, "dev"],
        ["download", cli_repo, "--revision", "v1", "--local-dir", os.path.join(work, "cli-dl")],
        ["download", cli_repo, "README.md", "--local-dir", os.path.join(work, "cli-dl2")],
        ["models", "info", cli_repo],
        ["models", "list", "--author", user],
        ["models", "card", cli_repo],
        ["repos", "settings", cli_repo, "--private"],
        ["repos", "delete-files", cli_repo, "w.bin"],
        ["discussions", "list", cli_repo],
        ["repos", "duplicate", cli_repo, cli_repo + "-dup"],
        ["repos", "move", cli_repo + "-dup", cli_repo + "-moved"],
        ["repos", "tag", "delete", cli_repo, "v1", "-y"],
        ["repos", "delete", cli_repo + "-moved", "-y"],
        ["repos", "delete", cli_repo, "-y"],
    ]
    for s in steps:
        t0 = time.time()
        p = subprocess.run([hf_bin, *s], capture_output=True, text=True, timeout=120)
        r = {"op": "hf " + " ".join(x if not x.startswith("/") else "<dir>" for x in s), "ok": p.returncode == 0, "cli": True}
        if p.returncode != 0:
            r["error"] = (p.stderr.strip().splitlines() or ["?"])[-1][:200]
        r["s"] = round(time.time() - t0, 2)
        results.append(r)
        print(json.dumps(r), flush=True)

api_ops = [r for r in results if not r.get("cli")]
cli_ops = [r for r in results if r.get("cli")]
print(
    json.dumps(
        {
            "summary": True,
            "huggingface_hub": hh.__version__,
            "api_ok": sum(r["ok"] for r in api_ops),
            "api_total": len(api_ops),
            "cli_ok": sum(r["ok"] for r in cli_ops),
            "cli_total": len(cli_ops),
        }
    )
)
