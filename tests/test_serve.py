"""``kantorovich serve``: the planning table's API, served by a real process.

The server runs as ``kantorovich serve`` in its own interpreter on a free port (see
``tests/served.py``) and is asked over real sockets (httpx). Each answer of
``POST /api/solve`` is compared with the cold solve of the changed plan (what
``kantorovich solve --json`` prints: `summary` of `solve`), once through the command
line itself on an edited plan file; 50 different what-ifs are asked at once; every bad
request is refused with its status and located message and is followed by a good one,
answered correctly; a solve past ``--time-limit`` says ``time_limit``; Ctrl-C stops the
server with exit code 130.
"""

from __future__ import annotations

import json
import math
import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import EXAMPLES, ROOT
from served import Served

import kantorovich as k
from kantorovich.report.summary import summary
from kantorovich.serve.page import POLICY_SERVED

pytestmark = pytest.mark.process

LENINGRAD = EXAMPLES / "leningrad.yaml"
GOOD = {"changes": {"supply": {"wheat": 4100}}}


@pytest.fixture(scope="module")
def server() -> Any:
    with Served(LENINGRAD, "--workers", "2") as served:
        yield served
    assert served.code == 130, "".join(served.stderr)


@pytest.fixture(scope="module")
def plan() -> k.Plan:
    return k.load_plan(LENINGRAD)


def cold(plan: k.Plan, changes: dict[str, dict[str, float]]) -> dict[str, Any]:
    """What ``kantorovich solve --json`` prints for the changed plan."""
    return summary(k.solve(plan.with_changes(**changes)))


def close(a: Any, b: Any, tol: float = 1e-9) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=tol, abs_tol=1e-7)
    return a == b


def _other_optima(expected: dict[str, Any], plan: k.Plan | None) -> bool:
    """Whether the optimum may have other levels of equal worth: a process at a bound
    (0 or its capacity) whose reduced cost is 0 could move without changing it."""
    if plan is None:
        return True
    capacity = plan.processes["capacity"]
    for process, cost in expected["reduced_costs"].items():
        level = expected["levels"][process]
        at_bound = abs(level) < 1e-9 or abs(level - capacity[process]) < 1e-9 * (
            1 + abs(level))
        if at_bound and abs(cost) < 1e-9:
            return True
    return False


def assert_same(api: dict[str, Any], expected: dict[str, Any],
                plan: k.Plan | None = None) -> None:
    """The answer equals the cold solve: status, objective, a verified certificate;
    prices where they are unique (not degenerate), levels where no other optimum can
    have others (`_other_optima`, judged for the changed ``plan``); each rule's
    measured cost."""
    assert api["status"] == expected["status"]
    assert close(api["objective"], expected["objective"]), (api["objective"],
                                                            expected["objective"])
    if expected["status"] != "optimal":
        return
    assert api["certificate"]["verified"] is True
    sections = [] if expected["degenerate"] else ["shadow_prices", "policy_prices"]
    if not _other_optima(expected, plan):
        sections.append("levels")
    for section in sections:
        for key, value in expected[section].items():
            assert close(api[section][key], value, 1e-7), (section, key)
    for policy, row in expected["policy_costs"].items():
        got = api["policy_costs"][policy]
        if "levels" in sections:       # whether a rule binds depends on the levels
            assert got["binding"] == row["binding"]
        if row["measured"] and got["measured"]:    # the worth without it is unique
            assert close(got["cost"], row["cost"], 1e-7), (policy, got, row)


def test_base_and_a_what_if_equal_the_cold_solves(server: Served, plan: k.Plan) -> None:
    base = httpx.post(f"{server.url}/api/solve", json={}).json()
    assert_same(base, cold(plan, {}), plan)
    assert base["objective"] == pytest.approx(6_670_666.666667)
    changes = {"rules": {"district-3-bread": 2_200_000.0}, "capacity": {"baking-3": 2.5e6}}
    answer = httpx.post(f"{server.url}/api/solve", json={"changes": changes})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert_same(answer.json(), cold(plan, changes), plan.with_changes(**changes))
    assert set(answer.json()) >= {"levels", "shadow_prices", "policy_costs", "moves",
                                  "baseline", "sensitivity", "certificate"}


def test_the_answer_equals_the_command_line_on_the_changed_file(server: Served,
                                                                 tmp_path: Path) -> None:
    """The seed's question, "and if District 3 keeps its two million loaves?", asked of
    the server and of ``kantorovich solve --json`` on the plan file edited to say it."""
    text = LENINGRAD.read_text()
    assert "region='District 3') >= 2000000" in text
    edited = tmp_path / "leningrad-d3.yaml"
    edited.write_text(text.replace("region='District 3') >= 2000000",
                                   "region='District 3') >= 2400000"))
    ran = subprocess.run([sys.executable, "-m", "kantorovich.cli", "solve", str(edited),
                          "--json"], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert ran.returncode == 0, ran.stderr
    cli = json.loads(ran.stdout)
    api = httpx.post(f"{server.url}/api/solve",
                     json={"changes": {"rules": {"district-3-bread": 2_400_000}}}).json()
    assert_same(api, cli, k.load_plan(edited))
    assert api["policy_costs"]["district-3-bread"]["cost"] == pytest.approx(
        cli["policy_costs"]["district-3-bread"]["cost"], rel=1e-7)


def _what_ifs() -> list[dict[str, dict[str, float]]]:
    """50 different what-ifs over every kind of change."""
    out: list[dict[str, dict[str, float]]] = []
    for i in range(50):
        kind = i % 5
        if kind == 0:
            out.append({"supply": {"wheat": 3000.0 + 50 * i}})
        elif kind == 1:
            out.append({"rules": {"district-3-bread": 1_700_000.0 + 20_000 * i}})
        elif kind == 2:
            out.append({"capacity": {"rail-flour-5-to-3": 10.0 + 7 * i,
                                     "bolts-92": 400.0 + 10 * i}})
        elif kind == 3:
            out.append({"weights": {"bolts": 1500.0 + 25 * i},
                        "demand": {"bolts": 850.0 + i}})
        else:
            out.append({"supply": {"steel": 900.0 + 5 * i}, "min_level": {"bolts-47": i}})
    return out


def test_fifty_concurrent_what_ifs_each_equal_its_own_cold_solve(server: Served,
                                                                 plan: k.Plan) -> None:
    what_ifs = _what_ifs()
    assert len({json.dumps(w, sort_keys=True) for w in what_ifs}) == 50
    with httpx.Client(timeout=120, limits=httpx.Limits(max_connections=50)) as client:
        def ask(changes: dict[str, dict[str, float]]) -> httpx.Response:
            return client.post(f"{server.url}/api/solve", json={"changes": changes})

        with ThreadPoolExecutor(50) as pool:
            answers = list(pool.map(ask, what_ifs))
    statuses = set()
    for changes, answer in zip(what_ifs, answers):
        assert answer.status_code == 200, answer.text
        expected = cold(plan, changes)
        assert_same(answer.json(), expected, plan.with_changes(**changes))
        statuses.add(expected["status"])
    assert "optimal" in statuses


def _refused(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-security-policy"] == POLICY_SERVED
    body = response.json()
    assert set(body) == {"error", "message", "problems"}
    return body


def _then_good(server: Served) -> None:
    answer = httpx.post(f"{server.url}/api/solve", json=GOOD)
    assert answer.status_code == 200
    # 100 t more wheat at its shadow price, 1,201.67 loaves a t (it stays that worth)
    assert answer.json()["objective"] == pytest.approx(6_670_666.666667 + 100 * 1_201.666667,
                                                       rel=1e-9)


@pytest.mark.parametrize(("changes", "path", "words"), [
    ({"supply": {"wheet": 1}}, "changes.supply.wheet", "did you mean 'wheat'?"),
    ({"capacity": {"mill-3-miling": 1}}, "changes.capacity.mill-3-miling",
     "did you mean 'mill-3-milling'?"),
    ({"rules": {"district-3-bred": 1}}, "changes.rules.district-3-bred",
     "did you mean 'district-3-bread'?"),
])
def test_an_unknown_id_gets_the_located_message_and_did_you_mean(
        server: Served, changes: dict[str, Any], path: str, words: str) -> None:
    body = _refused(httpx.post(f"{server.url}/api/solve", json={"changes": changes}), 422)
    problem = body["problems"][0]
    assert problem["path"] == path
    assert problem["hint"] == words
    assert Path(problem["file"]).name == "leningrad.yaml"
    assert "unknown" in problem["message"] and path in body["message"]
    _then_good(server)


@pytest.mark.parametrize(("raw", "path", "words"), [
    ('{"changes": {"supply": {"wheat": "1800"}}}', "changes.supply.wheat", "number"),
    ('{"changes": {"supply": {"wheat": true}}}', "changes.supply.wheat", "number"),
    ('{"changes": {"supply": {"wheat": null}}}', "changes.supply.wheat", "number"),
    ('{"changes": {"supply": {"wheat": NaN}}}', "changes.supply.wheat", "finite"),
    ('{"changes": {"demand": {"bolts": Infinity}}}', "changes.demand.bolts", "finite"),
    ('{"changes": {"rules": {"equal-steel": -Infinity}}}', "changes.rules.equal-steel",
     "finite"),
    ('{"changes": {"weights": {"bread": 1e400}}}', "changes.weights.bread", "finite"),
    ('{"changes": {"weights": {"bread": 1e300}}}', "changes.weights.bread", "beyond"),
    ('{"changes": {"capacity": {"baking-3": -1}}}', "changes.capacity.baking-3",
     "cannot be negative"),
    ('{"changes": {"supply": {"wheat": -5}}}', "changes.supply.wheat",
     "cannot be negative"),
    ('{"changes": {"suply": {"wheat": 1}}}', "changes.suply", "unknown part"),
    ('{"chnages": {}}', "chnages", "unknown part"),
    ('{"changes": 5}', "changes", "expected an object"),
    ('[1, 2]', "", "expected an object"),
    ('{"changes": {"capacity": {"rail-flour-5-to-3": 10}, "min_level": '
     '{"rail-flour-5-to-3": 20}}}', "changes.capacity.rail-flour-5-to-3", "above capacity"),
])
def test_bad_numbers_and_shapes_get_422(server: Served, raw: str, path: str,
                                        words: str) -> None:
    body = _refused(httpx.post(f"{server.url}/api/solve", content=raw,
                               headers={"content-type": "application/json"}), 422)
    assert any(p["path"] == path and words in p["message"] for p in body["problems"]), body
    _then_good(server)


@pytest.mark.parametrize("raw", [b'{"changes": {"supply": ', b"{'changes': {}}",
                                 b"\xff\xfe{}", b'{"changes": {}} x'])
def test_malformed_json_gets_400(server: Served, raw: bytes) -> None:
    body = _refused(httpx.post(f"{server.url}/api/solve", content=raw), 400)
    assert body["error"] == "malformed-json"
    _then_good(server)


def test_a_body_over_a_megabyte_gets_413_said_or_streamed(server: Served) -> None:
    big = json.dumps({"changes": {"supply": {f"g{i}": 1 for i in range(120_000)}}})
    assert len(big) > 1_000_000
    _refused(httpx.post(f"{server.url}/api/solve", content=big), 413)
    _then_good(server)

    def chunks() -> Any:                     # no content-length: sent in chunks
        for start in range(0, len(big), 65_536):
            yield big[start:start + 65_536].encode()

    _refused(httpx.post(f"{server.url}/api/solve", content=chunks()), 413)
    _then_good(server)


def test_every_response_carries_the_policy(server: Served) -> None:
    for response in (httpx.get(f"{server.url}/healthz"), httpx.get(f"{server.url}/"),
                     httpx.get(f"{server.url}/nowhere"),
                     httpx.get(f"{server.url}/api/solve"),
                     httpx.get(f"{server.url}/plotly.min.js"),
                     httpx.get(f"{server.url}/table.js")):
        assert response.headers["content-security-policy"] == POLICY_SERVED, response.url
        assert response.headers["x-content-type-options"] == "nosniff"
    page = httpx.get(f"{server.url}/").text       # and the page says it itself, first
    assert page.index(f'<meta http-equiv="Content-Security-Policy" content="{POLICY_SERVED}">'
                      ) < page.index("<script")
    assert "'unsafe-inline'" not in POLICY_SERVED.split("script-src")[1].split(";")[0]
    assert httpx.get(f"{server.url}/nowhere").status_code == 404
    assert httpx.get(f"{server.url}/api/solve").status_code == 405
    health = httpx.get(f"{server.url}/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "plan": "Leningrad district mills", "workers": 2,
                             "free": 2, "base": "optimal"}
    _then_good(server)


def test_the_plan_route_lists_every_input_with_its_key(server: Served, plan: k.Plan) -> None:
    answer = httpx.get(f"{server.url}/api/plan").json()
    by_key = {item["key"]: item for item in answer["inputs"]}
    assert by_key["supply.wheat"] == {"key": "supply.wheat", "kind": "supply", "id": "wheat",
                                      "name": "Wheat", "unit": "t", "value": 4000.0}
    assert by_key["policies.district-3-bread"]["value"] == 2_000_000.0
    assert by_key["processes.rail-flour-5-to-3.capacity"]["value"] == 80.0
    assert by_key["objective.bolts"]["unit"] == "loaf per t"
    assert by_key["demand.bolts"]["value"] == 900.0
    assert answer["counts"] == {"supply": 6, "demand": 6, "capacity": 7, "rule": 3,
                                "weight": 2}
    assert len(by_key) == sum(answer["counts"].values())
    found = httpx.get(f"{server.url}/api/plan", params={"q": "MILL No. 5"}).json()
    assert [i["key"] for i in found["inputs"]] == ["processes.mill-5-milling.capacity"]
    assert httpx.get(f"{server.url}/api/plan", params={"limit": "x"}).status_code == 422


def test_a_state_in_the_url_that_is_refused_shows_the_plan_with_the_reason(
        server: Served) -> None:
    page = httpx.get(f"{server.url}/", params={"supply.wheet": "1"})
    assert page.status_code == 422
    assert ("unknown good &#x27;wheet&#x27; (did you mean &#x27;supply.wheat&#x27;?)"
            in page.text)
    assert httpx.get(f"{server.url}/", params={"supply.wheat": "4100"}).status_code == 200


def test_a_request_addressed_to_another_host_is_refused(server: Served) -> None:
    """DNS rebinding: a page on evil.example, its name pointed at 127.0.0.1, is refused
    before any route reads the plan; this machine's own names are answered."""
    port = server.url.rsplit(":", 1)[1]
    for host in ("evil.example", f"evil.example:{port}", "localhost.evil.example"):
        for method, route in (("GET", "/api/plan"), ("GET", "/"), ("POST", "/api/solve")):
            body = _refused(httpx.request(method, f"{server.url}{route}", json=GOOD,
                                          headers={"host": host}), 400)
            assert body["error"] == "wrong-host"
            assert f"not to '{host.split(':')[0]}'" in body["message"]
            assert "Leningrad" not in json.dumps(body)
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"):
        assert httpx.get(f"{server.url}/api/plan", headers={"host": host}).status_code == 200
    _then_good(server)


def test_a_what_if_sent_from_another_sites_page_is_refused(server: Served) -> None:
    """A form or a no-cors fetch on another site needs no preflight, so the browser
    sends it whatever CORS says: refused by its Origin (403) before it is solved. The
    page's own origin, and programs that send none, are answered."""
    port = int(server.url.rsplit(":", 1)[1])
    for origin in ("https://evil.example", f"http://evil.example:{port}", "null",
                   f"http://127.0.0.1:{port + 1}", f"https://127.0.0.1:{port}",
                   "http://127.0.0.1"):
        for kind, raw in (("text/plain", json.dumps(GOOD)),
                          ("application/x-www-form-urlencoded", "changes=1"),
                          ("application/json", json.dumps(GOOD))):
            body = _refused(httpx.post(f"{server.url}/api/solve", content=raw, headers={
                "origin": origin, "content-type": kind}), 403)
            assert body["error"] == "cross-site"
            assert body["problems"][0]["path"] == "Origin"
            assert "Leningrad" not in json.dumps(body)
        _refused(httpx.post(f"{server.url}/api/view", json={"state": {}},
                            headers={"origin": origin}), 403)
    for origin in (server.url, server.url.replace("127.0.0.1", "localhost")):
        host = origin.split("://")[1]
        answer = httpx.post(f"{server.url}/api/solve", json=GOOD,
                            headers={"origin": origin, "host": host})
        assert answer.status_code == 200, answer.text
    # reading is not refused by Origin (the page's own scripts, a link from elsewhere)
    assert httpx.get(f"{server.url}/api/plan",
                     headers={"origin": "https://evil.example"}).status_code == 200
    _then_good(server)


@pytest.mark.parametrize("query", [
    {"<script>alert(1)</script>": "1"},
    {"supply.wheat": "<img src=x onerror=alert(1)>"},
    {'"><svg onload=alert(1)>': '"><svg onload=alert(1)>'},
])
def test_html_in_the_url_is_never_reflected(server: Served, query: dict[str, str]) -> None:
    page = httpx.get(f"{server.url}/", params=query)
    assert page.status_code == 422
    assert page.headers["content-security-policy"] == POLICY_SERVED
    for text in [t for t in [*query, *query.values()] if "<" in t]:
        assert text not in page.text
    assert "&lt;" in page.text                 # said, escaped
    _then_good(server)


def test_hostile_numbers_and_shapes_then_a_good_one(server: Served) -> None:
    """Numbers at the edge of a float, junk nested deep, the wrong content type: each is
    refused with its status (never 500) and the next what-if is answered correctly."""
    for body, status in [({"changes": {"supply": {"wheat": 1e308}}}, 422),
                         ({"changes": {"demand": {"bolts": -1e308}}}, 422),
                         ({"changes": {"supply": {"wheat": {"a": [1, {"b": 2}]}}}}, 422),
                         ({"changes": {"rules": {"district-3-bread": [2e6]}}}, 422),
                         ([1, 2, 3], 422), ({"changes": None}, 422)]:
        _refused(httpx.post(f"{server.url}/api/solve", json=body), status)
        _then_good(server)
    deep = b"[" * 100_000 + b"]" * 100_000
    _refused(httpx.post(f"{server.url}/api/solve", content=deep), 400)
    _refused(httpx.post(f"{server.url}/api/solve", content=b"changes=1",
                        headers={"content-type": "application/x-www-form-urlencoded"}),
             400)
    _then_good(server)
    # a 10^400 integer is no float: refused as a number, not a crash
    _refused(httpx.post(f"{server.url}/api/solve",
                        content=b'{"changes": {"supply": {"wheat": 1' + b"0" * 400 + b"}}}"),
             422)
    _then_good(server)


@pytest.fixture(scope="module")
def big_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kantorovich.model.generate import synthetic_plan, write_plan_csv

    return write_plan_csv(synthetic_plan(4_000, policies=10, seed=3),
                          tmp_path_factory.mktemp("big"))


def test_a_what_if_past_the_time_limit_says_time_limit(big_plan: Path) -> None:
    with Served(big_plan, "--time-limit", "0.001", "--workers", "1") as served:
        plan = k.load_plan(big_plan)
        good = str(plan.goods.index[plan.goods["supply"].fillna(0).to_numpy() > 0][0])
        answer = httpx.post(f"{served.url}/api/solve", timeout=120, json={
            "changes": {"supply": {good: float(plan.goods.at[good, "supply"]) * 0.9}}})
        assert answer.status_code == 200
        body = answer.json()
        assert body["status"] == "time_limit"
        assert body["objective"] is None            # no optimum is claimed
        assert "levels" not in body
        assert httpx.get(f"{served.url}/healthz").status_code == 200
    assert served.code == 130


def test_ctrl_c_stops_cleanly_with_130(server: Served) -> None:
    with Served(LENINGRAD, "--workers", "1") as served:
        assert httpx.get(f"{served.url}/healthz").status_code == 200
        assert served.first_line.startswith("serving 'Leningrad district mills' at "
                                            "http://127.0.0.1:")
        assert served.stop(signal.SIGINT) == 130
    assert "interrupted (SIGINT): stopped" in "".join(served.stderr)
    assert "Traceback" not in "".join(served.stderr)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{served.url}/healthz")


def test_ctrl_c_with_bodies_still_coming_answers_them_503_and_exits_130() -> None:
    """Slow clients (a body promised, never sent) do not hold the server past its grace,
    nor make it log a crash: each is answered 503 with the policy, the exit is 130."""
    with Served(LENINGRAD, "--workers", "1") as served:
        host, port = served.url.removeprefix("http://").split(":")
        slow = []
        for _ in range(3):
            sock = socket.create_connection((host, int(port)))
            sock.sendall(b"POST /api/solve HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
            slow.append(sock)
        assert httpx.post(f"{served.url}/api/solve", json=GOOD).status_code == 200
        served.proc.send_signal(signal.SIGINT)
        for sock in slow:
            sock.settimeout(20)
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
                got = sock.recv(4096)
                if not got:
                    break
                answer += got
            sock.close()
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 503 "), answer
            assert f"content-security-policy: {POLICY_SERVED}".encode() in head
            assert json.loads(body)["error"] == "stopping"
        served.proc.wait(30)                 # one Ctrl-C: nothing more is sent
        assert served.stop(signal.SIGINT) == 130
    assert "Traceback" not in "".join(served.stderr)
    assert "interrupted (SIGINT): stopped" in "".join(served.stderr)


def test_listening_beyond_this_machine_is_warned_of() -> None:
    with Served(LENINGRAD, "--host", "0.0.0.0", "--workers", "1") as served:
        port = served.url.rsplit(":", 1)[1]
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    assert served.code == 130
    said = "".join(served.stderr)
    assert "warning: --host 0.0.0.0 listens beyond this machine" in said


def test_a_taken_port_and_a_bad_plan_exit_2_without_traceback(tmp_path: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    try:
        ran = subprocess.run([sys.executable, "-m", "kantorovich.cli", "serve",
                              str(LENINGRAD), "--port", str(port)], capture_output=True,
                             text=True, env=env, timeout=60)
    finally:
        taken.close()
    assert ran.returncode == 2, ran.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in ran.stderr and "--port" in ran.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ngoods: {a: {unit: t}}\nprocesses: {p: {outputs: {b: 1}}}\n"
                   "objective: {maximize: {a: 1}}\n")
    ran = subprocess.run([sys.executable, "-m", "kantorovich.cli", "serve", str(bad),
                          "--port", "0"], capture_output=True, text=True, env=env,
                         timeout=60)
    assert ran.returncode == 2
    assert "bad.yaml" in ran.stderr and "Traceback" not in ran.stderr


def test_ctrl_c_during_a_solve_answers_it_and_exits_130(big_plan: Path) -> None:
    """A what-if in flight when Ctrl-C comes is stopped and answered 503 (or, done just
    before, answered as usual), never 500; the server still ends with 130."""
    import threading
    import time

    plan = k.load_plan(big_plan)
    good = str(plan.goods.index[plan.goods["supply"].fillna(0).to_numpy() > 0][0])
    answers: list[Any] = []
    with Served(big_plan, "--workers", "1") as served:
        def ask() -> None:
            try:
                answers.append(httpx.post(f"{served.url}/api/solve", timeout=60, json={
                    "changes": {"supply": {good: 1.0}}}))
            except httpx.HTTPError as exc:      # the socket closed before it was read
                answers.append(exc)

        asking = threading.Thread(target=ask)
        asking.start()
        time.sleep(0.4)
        started = time.perf_counter()
        assert served.stop(signal.SIGINT) == 130
        assert time.perf_counter() - started < 10
        asking.join(30)
    assert "Traceback" not in "".join(served.stderr)
    answer = answers[0]
    if isinstance(answer, httpx.Response):
        assert answer.status_code in (200, 503), answer.text
        if answer.status_code == 503:
            assert answer.json()["error"] == "stopping"


TWO_MILLS = """name: Two mills
goods: {wheat: {unit: t}, flour: {unit: t}}
processes:
  a: {inputs: {wheat: 1}, outputs: {flour: 0.70}}
  b: {inputs: {wheat: 1}, outputs: {flour: 0.721}, capacity: 1200}
supply: {wheat: 2000}
objective: {maximize: {flour: 1}}
"""


def test_an_unlimited_capacity_has_an_input_and_can_be_capped(tmp_path: Path) -> None:
    plan = tmp_path / "two-mills.yaml"
    plan.write_text(TWO_MILLS)
    with Served(plan, "--workers", "1") as served:
        listed = httpx.get(f"{served.url}/api/plan").json()["inputs"]
        capacities = {i["key"]: i["value"] for i in listed if i["kind"] == "capacity"}
        assert capacities == {"processes.a.capacity": "inf", "processes.b.capacity": 1200.0}
        page = httpx.get(f"{served.url}/").text
        assert ('data-change="processes.a.capacity" data-base="inf" value="" '
                'placeholder="unlimited"') in page
        # 100 t through mill a, 1,200 t through b: 70 + 865.2 t of flour
        view = httpx.post(f"{served.url}/api/view",
                          json={"state": {"processes.a.capacity": 100}}).json()
        assert view["summary"]["objective"] == pytest.approx(935.2, rel=1e-12)
        assert view["query"] == "processes.a.capacity=100"
        api = httpx.post(f"{served.url}/api/solve",
                         json={"changes": {"capacity": {"a": 100}}}).json()
        assert api["objective"] == pytest.approx(935.2, rel=1e-12)
        assert api["levels"] == {"a": 100.0, "b": 1200.0}
    assert served.code == 130
