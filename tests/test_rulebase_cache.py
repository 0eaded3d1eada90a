"""The checked rule base kept on disk by content: the same rule base back, never a stale or foreign one."""

from __future__ import annotations

import os
import pickle

from knowledge import cache
from knowledge.load import load_rule_base, load_rule_base_from_files, read_rule_files


def test_a_second_load_comes_from_the_cache_and_equals_the_first(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    first = load_rule_base()
    entries = list(tmp_path.glob("rulebase-*.pickle"))
    assert len(entries) == 1
    second = load_rule_base()
    assert second is not first
    assert second.version == first.version and second.origin == first.origin
    assert [r.id for r in second.rules] == [r.id for r in first.rules]
    assert [r.stratum for r in second.rules] == [r.stratum for r in first.rules]
    assert second.parameters.keys() == first.parameters.keys()


def test_other_files_never_get_a_cached_rule_base(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    files, _ = read_rule_files()
    base = load_rule_base_from_files(files, origin="a")
    name = next(n for n in files if n not in ("parameters.yaml", "catalog.yaml"))
    changed = dict(files)
    changed[name] = files[name] + b"\n# a comment changes the content, so the version\n"
    other = load_rule_base_from_files(changed, origin="b")
    assert other.version != base.version and other.origin == "b"
    assert len(list(tmp_path.glob("rulebase-*.pickle"))) == 2


def test_a_broken_or_foreign_writable_entry_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    first = load_rule_base()
    (entry,) = tmp_path.glob("rulebase-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert load_rule_base().version == first.version  # loaded from the files again
    entry.write_bytes(pickle.dumps("planted"))
    os.chmod(entry, 0o666)  # writable by others: never unpickled
    assert load_rule_base().version == first.version


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV_VAR, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    load_rule_base()
    assert not list(tmp_path.rglob("*.pickle"))


def test_only_the_newest_entries_are_kept(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    for n in range(cache.KEEP + 2):
        (tmp_path / f"rulebase-old{n}.pickle").write_bytes(b"x")
        os.utime(tmp_path / f"rulebase-old{n}.pickle", (n, n))
    load_rule_base()
    left = list(tmp_path.glob("rulebase-*.pickle"))
    assert len(left) == cache.KEEP and not (tmp_path / "rulebase-old0.pickle").exists()


# --- the engine's compiled form, kept beside the rule base -------------------------------


def _compiled_fresh(monkeypatch):
    from engine.compile import compile_rule_base

    monkeypatch.setenv(cache.ENV_VAR, "off")
    definition, compiled = compile_rule_base(load_rule_base())
    return definition, {name: (cr.rule.id, [s.key for s in cr.order]) for name, cr in compiled.items()}


def test_the_compiled_rule_base_is_kept_and_a_second_engine_gets_the_same_ruleset(tmp_path, monkeypatch):
    from engine.compile import compile_rule_base

    want_definition, want_plan = _compiled_fresh(monkeypatch)
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    rule_base = load_rule_base()
    compile_rule_base(rule_base)
    (entry,) = tmp_path.glob("compiled-*.pickle")
    for _ in range(2):  # the first from the entry just written, then again from it
        definition, compiled = compile_rule_base(load_rule_base())
        assert definition == want_definition
        assert {name: (cr.rule.id, [s.key for s in cr.order]) for name, cr in compiled.items()} == want_plan
    # the compiled rules are the rule base's own rules, not copies from the pickle
    rule_base = load_rule_base()
    _, compiled = compile_rule_base(rule_base)
    assert all(cr.rule is rule for cr, rule in zip(compiled.values(), rule_base.rules))
    assert entry.exists()


def test_a_compiled_entry_for_other_rules_is_not_used(tmp_path, monkeypatch):
    from engine.compile import compile_rule_base

    want_definition, want_plan = _compiled_fresh(monkeypatch)
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    compile_rule_base(load_rule_base())
    (entry,) = tmp_path.glob("compiled-*.pickle")
    # an entry of the right shape that names other rules (as a hash collision or a bad write would)
    parts = pickle.loads(entry.read_bytes())
    entry.write_bytes(pickle.dumps(parts[1:] + parts[:1]))
    os.chmod(entry, 0o600)
    definition, compiled = compile_rule_base(load_rule_base())
    assert definition == want_definition
    # each durable-rules rule name is still paired with its own rule
    assert {name: (cr.rule.id, [s.key for s in cr.order]) for name, cr in compiled.items()} == want_plan


def test_the_compiled_form_is_keyed_on_the_engine_code_too():
    assert cache.code_fingerprint(("facts", "knowledge", "engine")) != cache.code_fingerprint()
