// Type-checked against src/schema.d.ts, which .ci/clients.sh generates from the live OpenAPI document with
// openapi-typescript (the generated file is not kept in the repository). If an operation's documented body
// or answer changes shape, tsc fails here.
import type { components, paths } from "./schema";

type TokenIn = paths["/api/v1/accounts/token"]["post"]["requestBody"]["content"]["application/json"];
type TokenOut = paths["/api/v1/accounts/token"]["post"]["responses"]["201"]["content"]["application/json"];
type ErrorOut = components["schemas"]["ErrorOut"];
type BatchApprove = paths["/api/v1/members/applications/batch-approve"]["post"];
type UnionPage = paths["/api/v1/unions/"]["get"]["responses"]["200"]["content"]["application/json"];

// Staff with a second factor send their authenticator code; openapi-typescript types fields with a default
// (device, otp) as required in request bodies.
const login: TokenIn = { phone: "13900000001", password: "secret", device: "ts", otp: "123456" };

// The batch approval takes UUIDs (it was documented as a market batch: {name, capacity, slots}).
const approve: BatchApprove["requestBody"]["content"]["application/json"] = { uuids: ["00000000-0000-0000-0000-000000000000"] };

// Every operation documents its errors with the one error body.
const refused: BatchApprove["responses"]["403"]["content"]["application/json"] = {
  code: "forbidden", message: "您的角色无权执行此操作", detail: null,
} satisfies ErrorOut;
const unauthenticated: paths["/api/v1/unions/"]["get"]["responses"]["401"]["content"]["application/json"] = refused;

export async function firstUnionName(base: string): Promise<string | undefined> {
  const answer = await fetch(`${base}/api/v1/accounts/token`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(login),
  });
  const token: TokenOut = await answer.json();
  const page = await fetch(`${base}/api/v1/unions/?page_size=1`, { headers: { Authorization: `Bearer ${token.token}` } });
  const unions: UnionPage = await page.json();
  return unions.items[0]?.name;
}

export const examples = { approve, refused, unauthenticated };
