// Calls a running footprint server through a client typed from the
// contract: openapi-typescript generated src/schema.d.ts from
// openapi/openapi.yaml; openapi-fetch makes the calls. tsc checks that
// this program agrees with the contract.
//
//   npx tsx src/enrich.ts http://127.0.0.1:8080
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Profile = components["schemas"]["Profile"];
type Problem = components["schemas"]["Problem"];

const baseUrl = process.argv[2] ?? "http://127.0.0.1:8080";
const client = createClient<paths>({ baseUrl });

function fail(msg: string): never {
  console.error(`ts-client-check: ${msg}`);
  process.exit(1);
}

// 1. enrich: a typed request body and a typed profile back.
const { data, error, response } = await client.POST("/v1/enrich", {
  params: { header: { "X-Request-ID": "ts-client-check" } },
  body: {
    email: "Jane.Doe@Example.com",
    name: "Jane Doe",
    options: { timeout_ms: 5000, include_candidates: false, cache: "default" },
  },
});
if (error !== undefined) {
  fail(`enrich answered ${response.status}: ${error.title}: ${error.detail ?? ""}`);
}
const profile: Profile = data;
if (profile.subject.email?.address !== "jane.doe@example.com") {
  fail(`unexpected subject ${JSON.stringify(profile.subject)}`);
}
if (response.headers.get("X-Request-ID") !== "ts-client-check") {
  fail("X-Request-ID was not echoed");
}
const statuses = profile.sources.map((s) => `${s.name}=${s.status}`);
console.log(
  `enrich: 200, ${profile.accounts.length} account(s), complete=${profile.complete}, simulated=${profile.simulated}, sources: ${statuses.join(" ")}`,
);

// 2. A problem document is typed too.
const bad = await client.POST("/v1/enrich", { body: { email: "not an email" } });
const problem: Problem | undefined = bad.error;
if (bad.response.status !== 400 || problem === undefined || problem.errors?.[0]?.field !== "email") {
  fail(`invalid email: want a 400 problem for field email, got ${bad.response.status} ${JSON.stringify(bad.error)}`);
}
console.log(`enrich (invalid email): 400, ${problem.errors?.[0]?.field}: ${problem.errors?.[0]?.reason}`);

// 3. A GET with a typed answer.
const sources = await client.GET("/v1/sources");
if (sources.data === undefined) {
  fail(`sources answered ${sources.response.status}`);
}
console.log(`sources: ${sources.data.sources.map((s) => `${s.name}(${s.breaker.state})`).join(" ")}`);
console.log("ts-client-check: OK");
