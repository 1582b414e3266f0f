def test_info_lists_constructs_in_dutch(run_cli):
    res = run_cli("info", "--lang", "nl")
    assert res.exit_code == 0
    assert "Betrouwbaarheid" in res.stdout and "Keuzemenu" in res.stdout


def test_user_error_is_one_line_without_traceback(run_cli, tmp_path):
    res = run_cli("info", "--instrument", tmp_path / "missing.yaml")
    assert res.exit_code == 1
    assert "Traceback" not in res.stderr
    assert res.stderr.strip().startswith("error:")
    assert "missing.yaml: no such file" in res.stderr


def test_bad_option_value_is_a_usage_error(run_cli):
    res = run_cli("info", "--lang", "fr")
    assert res.exit_code == 2
    assert "'fr' is not one of nl, en" in res.stderr


def test_language_code_ignores_case(run_cli):
    res = run_cli("info", "--lang", "NL")
    assert res.exit_code == 0, res.stderr
    assert "Betrouwbaarheid" in res.stdout


def test_labels_from_a_questionnaire_file_are_text_not_markup(run_cli, tmp_path):
    import yaml

    from instrument.definition import DEFAULT_PATH

    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["title"]["en"] = "Service [/] quality"
    raw["constructs"][0]["label"]["en"] = "[bold]Reliability[/bold]"
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    res = run_cli("info", "--instrument", path)
    assert res.exit_code == 0, res.stderr
    assert "Service [/] quality" in res.stdout and "[bold]Reliability[/bold]" in res.stdout
