"""``drivers simulate``: a synthetic study with known true driver effects."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape
from rich.table import Table

from analysis.cli.app import command, console
from analysis.cli.options import check_flags
from analysis.common.errors import ServiceDriversError
from analysis.common.outputs import check_writable
from analysis.simulation import DEFAULT_SEED
from analysis.cli.loading import load_questionnaire

# The limits that keep a typo (--n-per-org 10000000000) from ending in a MemoryError are
# declared with the options (analysis.common.options); this one is the file format's.
MAX_EXCEL_ROWS = 1_048_575      # an Excel sheet's 1,048,576 rows, less the header


@command()
def simulate(
    output: List[Path] = typer.Option(..., "-o", "--output", help="Responses file; the format follows the extension (.csv, .sav, .xlsx, .parquet). Repeat for several formats."),
    orgs: int = typer.Option(4, "--orgs", help="Number of organisations (1-50)."),
    n_per_org: int = typer.Option(375, "--n-per-org", help="Respondents per organisation."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed; the same seed gives identical files."),
    fmt: Optional[str] = typer.Option(None, "--format", help="csv, sav, xlsx or parquet for every output (default: from the extension)."),
    truth: Optional[Path] = typer.Option(None, "--truth", help="Where to write the truth JSON (default: beside the first output, as NAME.truth.json)."),
    waves: Optional[int] = typer.Option(None, "--waves", help="Write a repeated study of this many waves (2-12, a 'wave' column, one quarter apart) with a planted level shift and effect change in the last wave (see the truth's 'waves')."),
    agent_sd: float = typer.Option(0.0, "--agent-sd", help="Plant agent effects: each agent's effect on the drivers about the agent (reliability, empathy, customer knowledge) drawn with this SD in latent SD units, 0-2 (e.g. 0.3); the truth's 'agents' holds each agent's effect and expected scores (see drivers agents). With --waves: the same agents in every wave."),
    dissatisfier: Optional[List[str]] = typer.Option(None, "--dissatisfier", help="Plant a dissatisfier: [ORGANISATION:]DRIVER=EXTRA, the extra latent effect (0-1, e.g. 0.6) of below-average performance on satisfaction, in one organisation or (without ORGANISATION:) in every one; repeat for more. The truth records it with its expected class (see drivers dissatisfiers). With --waves: planted in every wave."),
    truth_draws: int = typer.Option(200_000, "--truth-draws", help="Monte Carlo respondents per organisation for the population truth (0 = latent truth only)."),
    lang: str = typer.Option("en", "--lang", help="Language of the SPSS variable and value labels: nl or en."),
    instrument_file: Optional[Path] = typer.Option(None, "--instrument", help="A questionnaire YAML file (default: the shipped one)."),
) -> None:
    """Simulate a study (synthetic responses) and write it with its true effects."""
    # imported here, not at start: `drivers --help` must not import pandas
    from analysis.simulation.io import output_format, truth_path_for, write_responses, write_truth
    from analysis.simulation.simulate import simulate_study

    inst = load_questionnaire(instrument_file)
    lang = lang.strip().lower()
    if lang not in inst.languages:
        raise typer.BadParameter(f"'{lang}' is not one of {', '.join(inst.languages)}", param_hint="--lang")
    check_flags(n_orgs=orgs, n_per_org=n_per_org, truth_draws=truth_draws, seed=seed, agent_sd=agent_sd,
                **({} if waves is None else {"n_waves": waves}))   # before any work
    asymmetry = parse_dissatisfiers(dissatisfier or [], inst, orgs)
    n_rows = orgs * n_per_org * (waves or 1)
    for path in output:  # fail before the work, not after it
        if output_format(path, fmt) == "xlsx" and n_rows > MAX_EXCEL_ROWS:
            raise ServiceDriversError(f"{path}: {orgs} x {n_per_org}{f' x {waves}' if waves else ''} responses do not fit on an Excel sheet "
                                      f"(at most {MAX_EXCEL_ROWS} rows); write .csv, .sav or .parquet instead")
        check_writable(path)
    truth_path = truth if truth is not None else truth_path_for(output[0])
    if any(truth_path.absolute() == path.absolute() for path in output):
        raise ServiceDriversError(f"{truth_path}: is also a responses file (-o); give the truth another name with "
                                  "--truth")
    check_writable(truth_path)

    if waves is None:
        study = simulate_study(inst, n_orgs=orgs, n_per_org=n_per_org, seed=seed, truth_draws=truth_draws,
                               agent_sd=agent_sd, asymmetry=asymmetry or None)
    else:
        from analysis.simulation.waves import simulate_waves

        study = simulate_waves(inst, n_waves=waves, n_orgs=orgs, n_per_org=n_per_org, seed=seed,
                               truth_draws=truth_draws, agent_sd=agent_sd, asymmetry=asymmetry or None)
    quarter = study.truth["generator"]["features"]["quarter_start"]
    n = study.responses.shape[0]
    for path in output:
        write_responses(study.responses, path, inst, fmt=fmt, lang=lang, quarter_start=quarter)
        console.print(f"wrote {n} responses ({orgs} organisation(s) x {n_per_org}{f' x {waves} waves' if waves else ''}) to {escape(str(path))} "
                      f"[{output_format(path, fmt)}]", highlight=False, soft_wrap=True)
    write_truth(study.truth_json(), truth_path)
    console.print(f"wrote the truth to {escape(str(truth_path))}", highlight=False, soft_wrap=True)

    table = Table("organisation", "latent R²", "observed R²", "true top two (observed-score LMG)")
    for name, org in study.truth["organisations"].items():
        observed = org.get("observed")
        table.add_row(name, f"{org['latent']['r2']:.3f}",
                      f"{observed['r2']:.3f}" if observed else "-",
                      ", ".join((observed or org["latent"])["top_two"]))
    console.print(table)
    if waves is not None:
        planted = study.truth["waves"]
        shift, effect = planted["level_shift"], planted["effect_change"]
        console.print(f"planted from wave {planted['change_wave']}: {shift['organisation']}'s latent {shift['driver']} "
                      f"mean {shift['shift_sd']:+g} SD" + ("" if effect is None else
                      f"; {effect['organisation']}'s {effect['driver']} effect {effect['before']:g} -> "
                      f"{effect['after']:g}"), highlight=False, soft_wrap=True)
    if agent_sd:
        agents = study.truth["agents"]
        console.print(f"planted agent effects: SD {agent_sd:g} (latent SD units) on {', '.join(agents['drivers'])}, "
                      f"{agents['agents_per_org']} agents per organisation (the truth's 'agents')"
                      + (", the same agents in every wave" if waves is not None else ""),
                      highlight=False, soft_wrap=True)
    for org, drivers in asymmetry.items():
        for driver, extra in drivers.items():
            planted = study.truth["organisations"][org]["asymmetry"][driver]
            console.print(f"planted dissatisfier: {org}'s {driver}, effect {planted['effect_below_mean']:g} below "
                          f"the mean and {planted['effect_above_mean']:g} above it (expected class "
                          f"'{planted['expected_class']}'){', in every wave' if waves is not None else ''}",
                          highlight=False, soft_wrap=True)


def parse_dissatisfiers(values: List[str], inst, n_orgs: int) -> dict[str, dict[str, float]]:
    """``--dissatisfier [ORG:]DRIVER=EXTRA`` values -> ``simulate_study(asymmetry=...)`` (usage error if malformed)."""
    if not values:
        return {}
    from analysis.simulation.asymmetry import MAX_ASYMMETRY
    from analysis.simulation.model import default_profiles

    names = [p.name for p in default_profiles(n_orgs, drivers=tuple(inst.driver_keys))]
    out: dict[str, dict[str, float]] = {}
    for value in values:
        target, _, extra = value.partition("=")
        org, _, driver = target.rpartition(":")
        driver, org = driver.strip(), org.strip()
        try:
            amount = float(extra)
        except ValueError:
            amount = float("nan")
        if driver not in inst.driver_keys or not 0 <= amount <= MAX_ASYMMETRY:
            raise typer.BadParameter(f"{value!r}: give [ORGANISATION:]DRIVER=EXTRA with a driver of the questionnaire "
                                     f"({', '.join(inst.driver_keys)}) and an extra effect from 0 to "
                                     f"{MAX_ASYMMETRY:g}, e.g. wait_time=0.6", param_hint="--dissatisfier")
        if org and org not in names:
            raise typer.BadParameter(f"{value!r}: '{org}' is not one of the {n_orgs} simulated organisations "
                                     f"({', '.join(names)})", param_hint="--dissatisfier")
        for name in ([org] if org else names):
            out.setdefault(name, {})[driver] = amount
    return out
