// Scores header sets with the real @mdn/mdn-http-observatory, the way its scan() does,
// without the network: each set becomes the one response the tests look at.
// Input (stdin): [{"headers": [[name, value], ...], "https": true}, ...]
// Output (stdout): [{"tests": {name: result}, "score": n, "grade": "A+"}, ...]
import { readFileSync } from "node:fs";
import { AxiosHeaders } from "axios";
import { Requests } from "@mdn/mdn-http-observatory/src/types.js";
import { Session } from "@mdn/mdn-http-observatory/src/retriever/session.js";
import { ALL_TESTS } from "@mdn/mdn-http-observatory/src/constants.js";
import { MINIMUM_SCORE_FOR_EXTRA_CREDIT } from "@mdn/mdn-http-observatory/src/grader/charts.js";
import {
  getGradeForScore,
  getScoreModifier,
} from "@mdn/mdn-http-observatory/src/grader/grader.js";

const HOST = "secure-check.test"; // on no HSTS preload list

function score(entry) {
  const url = new URL(`${entry.https ? "https" : "http"}://${HOST}/`);
  const fields = {};
  const cookies = [];
  for (const [name, value] of entry.headers) {
    const key = name.toLowerCase();
    if (key === "set-cookie") {
      cookies.push(value);
    } else {
      // An HTTP client joins repeated fields with ", ".
      fields[key] = key in fields ? `${fields[key]}, ${value}` : value;
    }
  }
  const headers = new AxiosHeaders(fields);
  if (cookies.length) headers.set("set-cookie", cookies);
  if (!headers.has("content-type")) headers.set("content-type", "text/html");
  const response = {
    headers,
    request: { headers: new AxiosHeaders({ origin: "https://observatory.test" }) },
    status: 200,
    statusText: "OK",
    verified: true,
    data: "",
    config: { headers: new AxiosHeaders() },
    httpEquiv: new Map(),
  };
  const requests = new Requests(HOST);
  requests.responses.auto = response;
  requests.responses.cors = response;
  if (entry.https) requests.responses.https = response;
  requests.session = new Session(url);
  for (const cookie of cookies) {
    requests.session.jar.setCookieSync(cookie, url.href, { ignoreError: true });
  }

  // As scan() does: penalties first, bonuses only from 90 up.
  let withBonuses = 100;
  let penalised = 100;
  const tests = {};
  for (const test of ALL_TESTS) {
    const output = test(requests);
    tests[output.constructor.name] = output.result;
    const modifier = getScoreModifier(output.result);
    withBonuses += modifier;
    if (modifier < 0) penalised += modifier;
  }
  const total = penalised >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withBonuses : penalised;
  const { score: final, grade } = getGradeForScore(total);
  return { tests, score: final, grade };
}

const corpus = JSON.parse(readFileSync(0, "utf8"));
console.log(JSON.stringify(corpus.map(score)));
