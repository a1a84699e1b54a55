import { describe, expect, it } from "vitest";
import { AppError } from "../ipc/errors";
import { checkKeyDraft, checkLimit, emptyKeyDraft, TeamModel } from "./team.svelte";
import { limitText } from "./format";
import { fakeTeamApi, MANAGEMENT, NOW, teamKey } from "./testing";

const refused = (message: string) => new AppError({ code: "auth", message, retryable: false });

async function loaded(api = fakeTeamApi()) {
  const model = new TeamModel(api, () => NOW);
  await model.load();
  return { api, model };
}

describe("the team's keys", () => {
  it("lists the keys and guardrails once a management key is saved", async () => {
    const { api, model } = await loaded();
    expect(model.saved).toBe(true);
    expect(model.keys.map((k) => k.name)).toEqual(["alice"]);
    expect(model.guardrails.list.map((g) => g.name)).toEqual(["Interns"]);
    expect(api.teamKeysList).toHaveBeenCalledOnce();
  });

  it("without a management key asks for one and lists nothing", async () => {
    const { api, model } = await loaded(fakeTeamApi({ saved: false }));
    expect(model.saved).toBe(false);
    expect(api.teamKeysList).not.toHaveBeenCalled();
    expect(api.teamGuardrailsList).not.toHaveBeenCalled();
  });

  it("refuses an inference key in plain words and saves a management key", async () => {
    const { api, model } = await loaded(fakeTeamApi({ saved: false }));
    expect(await model.saveManagementKey("   ")).toBe(false);
    expect(model.managementError).toBe("Paste the management key first.");
    expect(api.teamManagementKeySave).not.toHaveBeenCalled();

    expect(await model.saveManagementKey("sk-or-v1-inference-0000")).toBe(false);
    expect(model.managementError).toMatch(/^This is an inference key, not a management key/);
    expect(model.saved).toBe(false);

    expect(await model.saveManagementKey(` ${MANAGEMENT} `)).toBe(true);
    expect(api.teamManagementKeySave).toHaveBeenLastCalledWith(MANAGEMENT);
    expect(model.managementError).toBeNull();
    expect(model.status?.masked).toBe("••••dead");
    expect(model.keys.length, "the keys are listed at once").toBe(1);
  });

  it("says why the keys could not be listed", async () => {
    const api = fakeTeamApi();
    api.teamKeysList.mockRejectedValueOnce(
      refused("OpenRouter refused the management key (401). Nothing was changed."),
    );
    const { model } = await loaded(api);
    expect(model.keysError).toBe(
      "The team's keys could not be listed. OpenRouter refused the management key (401). Nothing was changed.",
    );
  });
});

describe("a new key", () => {
  it("is created with its limit and reset, and its secret is shown once, then forgotten", async () => {
    const { api, model } = await loaded();
    const ok = await model.createKey({ name: " bob ", limit: "$5", reset: "daily", expires: "" });
    expect(ok).toBe(true);
    expect(api.teamKeyCreate).toHaveBeenCalledWith({
      name: "bob",
      limit: "5",
      limitReset: "daily",
      includeByokInLimit: false,
      expiresAt: null,
    });
    const secret = model.created?.secret ?? "";
    expect(secret).toMatch(/^sk-or-v1-secret-/);
    const bob = model.keys.find((k) => k.name === "bob");
    expect(bob && limitText(bob.limit, bob.limitReset)).toBe("$5.00 / day");
    expect(JSON.stringify(model.keys), "the list holds only the label").not.toContain(secret);

    model.dismissCreated();
    expect(model.created).toBeNull();
    expect(
      JSON.stringify({ created: model.created, keys: model.keys }),
      "the secret is gone from the screen's state",
    ).not.toContain(secret);
  });

  it("with an expiry day stops working at the end of that UTC day; never resetting sends none", async () => {
    const { api, model } = await loaded();
    await model.createKey({ name: "carol", limit: "20", reset: "never", expires: "2027-01-31" });
    expect(api.teamKeyCreate).toHaveBeenLastCalledWith(
      expect.objectContaining({
        limit: "20",
        limitReset: null,
        expiresAt: "2027-01-31T23:59:59Z",
      }),
    );
  });

  it("is refused before anything is sent when the form is wrong", async () => {
    const { api, model } = await loaded();
    const tries: [Partial<ReturnType<typeof emptyKeyDraft>>, RegExp][] = [
      [{ name: "" }, /^Name the key/],
      [{ name: "dan", limit: "0" }, /^A limit is an amount in dollars above zero/],
      [{ name: "dan", limit: "five" }, /^A limit is an amount/],
      [{ name: "dan", expires: "2026-11-23" }, /^The expiry date has passed/],
      [{ name: "dan", expires: "2026-02-31" }, /^The expiry is not a date/],
    ];
    for (const [over, message] of tries) {
      expect(await model.createKey({ ...emptyKeyDraft(), ...over })).toBe(false);
      expect(model.createError).toMatch(message);
    }
    expect(api.teamKeyCreate).not.toHaveBeenCalled();
    expect(checkKeyDraft({ ...emptyKeyDraft(), name: "eve" }, NOW)).toEqual({
      name: "eve",
      limit: null,
      limitReset: null,
      includeByokInLimit: false,
      expiresAt: null,
    });
  });

  it("says why OpenRouter refused it and keeps the form's failure apart", async () => {
    const { api, model } = await loaded();
    api.teamKeyCreate.mockRejectedValueOnce(
      new AppError({
        code: "network",
        message: "OpenRouter could not be reached.",
        retryable: true,
      }),
    );
    expect(await model.createKey({ ...emptyKeyDraft(), name: "bob" })).toBe(false);
    expect(model.createError).toBe("The key was not created. OpenRouter could not be reached.");
    expect(model.created).toBeNull();
  });
});

describe("changes to a key wait for a confirmation", () => {
  it("a new limit is sent only once confirmed, with its reset", async () => {
    const { api, model } = await loaded();
    const alice = model.keys[0] ?? teamKey();
    expect(model.askLimit(alice, "10", "weekly")).toBe(true);
    expect(model.pending?.kind).toBe("limit");
    expect(api.teamKeyUpdate).not.toHaveBeenCalled();

    await model.confirm();
    expect(api.teamKeyUpdate).toHaveBeenCalledWith(alice.hash, {
      limit: { kind: "amount", usd: "10" },
      limitReset: { kind: "every", period: "weekly" },
    });
    expect(model.pending).toBeNull();
    const now = model.keys[0] ?? teamKey();
    expect(limitText(now.limit, now.limitReset)).toBe("$10.00 / week");
  });

  it("a cancelled change sends nothing", async () => {
    const { api, model } = await loaded();
    model.ask({ kind: "delete", key: model.keys[0] ?? teamKey() });
    model.cancel();
    await model.confirm();
    expect(api.teamKeyDelete).not.toHaveBeenCalled();
    expect(model.keys).toHaveLength(1);
  });

  it("disable, enable and delete call OpenRouter after the confirmation", async () => {
    const { api, model } = await loaded();
    const hash = model.keys[0]?.hash ?? "";
    model.ask({ kind: "disable", key: model.keys[0] ?? teamKey() });
    expect(api.teamKeyUpdate).not.toHaveBeenCalled();
    await model.confirm();
    expect(api.teamKeyUpdate).toHaveBeenLastCalledWith(hash, { disabled: true });
    expect(model.keys[0]?.disabled).toBe(true);

    model.ask({ kind: "enable", key: model.keys[0] ?? teamKey() });
    await model.confirm();
    expect(api.teamKeyUpdate).toHaveBeenLastCalledWith(hash, { disabled: false });
    expect(model.keys[0]?.disabled).toBe(false);

    model.ask({ kind: "delete", key: model.keys[0] ?? teamKey() });
    expect(api.teamKeyDelete).not.toHaveBeenCalled();
    await model.confirm();
    expect(api.teamKeyDelete).toHaveBeenCalledWith(hash);
    expect(model.keys).toEqual([]);
  });

  it("a limit that is not an amount is refused before asking", async () => {
    const { model } = await loaded();
    expect(model.askLimit(model.keys[0] ?? teamKey(), "-3", "daily")).toBe(false);
    expect(model.pending).toBeNull();
    expect(model.actionError).toMatch(/^A limit is an amount in dollars above zero/);
    expect(checkLimit("", "daily")).toEqual({
      change: { limit: { kind: "noLimit" } },
      shown: "no limit",
    });
  });

  it("a refused change says what was not done and why, and keeps the key as it was", async () => {
    const { api, model } = await loaded();
    api.teamKeyUpdate.mockRejectedValueOnce(
      refused("OpenRouter refused the management key (401). Nothing was changed."),
    );
    model.ask({ kind: "disable", key: model.keys[0] ?? teamKey() });
    await model.confirm();
    expect(model.actionError).toBe(
      "The key was not disabled. OpenRouter refused the management key (401). Nothing was changed.",
    );
    expect(model.keys[0]?.disabled).toBe(false);
  });

  it("removing the management key is confirmed too, and leaves the screen asking for one", async () => {
    const { api, model } = await loaded();
    model.ask({ kind: "forget" });
    expect(api.teamManagementKeyRemove).not.toHaveBeenCalled();
    await model.confirm();
    expect(api.teamManagementKeyRemove).toHaveBeenCalledOnce();
    expect(model.saved).toBe(false);
    expect(model.keys).toEqual([]);
  });
});
