"""The one table `run.py` ends with: every row of issue 18 ("Speed at every scale") with
its aim, what this run measured, hello world under the same gunicorn in the same run,
and whether the aim is met."""

SEARCHES = ("sprakcafe", "language cafe", "Gardsten")
SEARCH_CONTROL = "Språkcafé"  # printed beside them: the search itself answers
KB = 1024


def _ms(value):
    return f"{value:.1f} ms"


def _kb(value):
    return f"{value / KB:.1f} KB"


def _verdict(ok):
    return "met" if ok else "NOT met"


def _latency(what, r, aim_ms, hello):
    """A row judged on p95."""
    return (what, f"p95 ≤ {aim_ms:g} ms", f"p95 {_ms(r['p95'])} (p50 {_ms(r['p50'])})"
            + _errors(r), hello, _verdict(r["p95"] <= aim_ms and not r["errors"]))


def _errors(r):
    return f", {r['errors']} errors" if r["errors"] else ""


def _vevents(r):
    return r["body"].count(b"BEGIN:VEVENT")


def _bytes(what, sizes, aim):
    return (what, f"≤ {aim // KB} KB", f"{_kb(sizes['br'])} br (gzip {_kb(sizes['gzip'])}, "
            f"none {_kb(sizes['none'])})", "—", _verdict(sizes["br"] <= aim))


def summary_rows(results):
    """[(what, aim, measured, hello world, verdict)] from run.py's sections."""
    lat, feeds, wire = results["latency"], results["feeds"], results["wire"]
    hello = f"p95 {_ms(lat['hello world', 'hello']['p95'])}"
    rows = [
        _latency("/activities, without cache", lat["/activities", "no cache"], 25, hello),
        _latency("/activities?q=läxhjälp, without cache",
                 lat["/activities?q=läxhjälp", "no cache"], 25, hello),
        # A list page too (issue 18, 5: "the list pages at the aims above").
        _latency("/activities?near=Täby, without cache",
                 lat["/activities?near=Täby", "no cache"], 25, hello),
    ]
    for query in SEARCHES:
        found = results["search"][query]
        rows.append((f"search q={query}", "found",
                     "error" if found is None else f"{found} dates", "—",
                     "met" if found else "NOT met"))
    put = results["throughput"]
    share = 100 * put["cache"]["rps"] / put["hello"]["rps"]
    rows.append(("/activities throughput, with the cache", "≥ 50 % of hello world",
                 f"{put['cache']['rps']:.0f} req/s = {share:.1f} % "
                 f"(no cache {put['no cache']['rps']:.0f} req/s)",
                 f"{put['hello']['rps']:.0f} req/s", _verdict(share >= 50)))
    dates = results["dates"]
    rows += [
        _latency(f"feed of {dates['bench-veckor']} dates as weekly series "
                 f"({_vevents(feeds['weekly'])} VEVENTs), after one edit",
                 feeds["weekly"], 10, hello),
        _latency(f"feed of {dates['bench-engangs']} one-off dates "
                 f"({_vevents(feeds['one-off'])} VEVENTs), after one edit",
                 feeds["one-off"], 10, hello),
        _latency(f"feed of {dates['bench-stor']} dates ({_vevents(feeds['large'])} "
                 "VEVENTs), cold, without cache", feeds["large"], 250, hello),
    ]
    row = _latency("304 for a feed (~5,000 dates), without cache", feeds["304"], 3, hello)
    rows.append(row[:2] + (row[2] + f"; with the cache p95 {_ms(feeds['304 cache']['p95'])}",)
                + row[3:])
    rows.append(_bytes("feed of 500 one-off dates on the wire", wire["feed"], 14 * KB))
    page = lat["/api/v1/occurrences?per_page=100", "no cache"]
    row = _latency("JSON page of 100 dates, without cache", page, 8, hello)
    rows.append(row[:2] + (row[2] + f", {page['p95'] / 100:.3f} ms a date",) + row[3:])
    rows.append(_bytes("/activities with the map, first visit", wire["first"], 70 * KB))
    rows.append(_bytes("/activities, repeat visit", wire["repeat"], 15 * KB))
    return rows + scale_rows(results)


def scale_rows(results):
    """The seed, each app worker's memory and, with several app hosts, whether a change
    through one is seen by the next request to another."""
    rows = []
    seed = results.get("seed")
    if seed:
        goal = seed["goal"]
        rows.append((f"seed-demo --scale {seed['scale']}",
                     "—" if goal is None else f"≤ {goal:.0f} s",
                     f"{seed['seconds']:.1f} s ({seed['occurrences']:,} dates; the seeding "
                     f"process at most {seed['peak_mb']:.0f} MB)", "—",
                     "—" if goal is None else _verdict(seed["seconds"] <= goal)))
    memory, early = results.get("memory"), results.get("memory after latency")
    if memory:
        apps = [label for label in memory if label != "hello"]
        workers = sum(len(memory[label]) for label in apps)
        rows.append(("memory per app worker (RssAnon)", "—",
                     f"largest {_largest(early, apps)} after the latency section, "
                     f"{_largest(memory, apps)} at the end ({workers} workers in "
                     f"{len(apps)} gunicorns)", f"{_largest(memory, ['hello'])}", "—"))
    cross = results.get("cross host")
    if cross:
        rows.append(("a change through one app host, the next request to another",
                     "seen", cross["short"], "—", _verdict(cross["seen"])))
    return rows


def _largest(memory, labels):
    sizes = [mb for label in labels for mb in (memory or {}).get(label, [])]
    return f"{max(sizes):.0f} MB" if sizes else "?"


def print_table(rows):
    """The rows as a Markdown table (it reads as text and pastes into an issue)."""
    header = ("what", "aim", "measured", "hello world (same run)", "verdict")
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("| " + " | ".join(f"{cell:<{w}}" for cell, w in zip(row, widths)) + " |")
