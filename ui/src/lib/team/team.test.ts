import { describe, expect, it } from "vitest";
import { AppError } from "../ipc/errors";
import { checkKeyDraft, checkLimit, emptyKeyDraft, TeamState } from "./team.svelte";
import { limitText } from "./format";
import { fakeTeamApi, MANAGEMENT, NOW, teamKey } from "./testing";

const refused = (message: string) => new AppError({ code: "auth", message, retryable: false });

async function loaded(api = fakeTeamApi()) {
  const team = new TeamState(api, () => NOW);
  await team.load();
  return { api, team };
}

describe("the team's keys", () => {
  it("lists the keys and guardrails once a management key is saved", async () => {
    const { api, team } = await loaded();
    expect(team.saved).toBe(true);
    expect(team.keys.map((k) => k.name)).toEqual(["alice"]);
    expect(team.guardrails.list.map((g) => g.name)).toEqual(["Interns"]);
    expect(api.teamKeysList).toHaveBeenCalledOnce();
  });

  it("without a management key asks for one and lists nothing", async () => {
    const { api, team } = await loaded(fakeTeamApi({ saved: false }));
    expect(team.saved).toBe(false);
    expect(api.teamKeysList).not.toHaveBeenCalled();
    expect(api.teamGuardrailsList).not.toHaveBeenCalled();
  });

  it("refuses an inference key in plain words and saves a management key", async () => {
    const { api, team } = await loaded(fakeTeamApi({ saved: false }));
    expect(await team.saveManagementKey("   ")).toBe(false);
    expect(team.managementError).toBe("Paste the management key first.");
    expect(api.teamManagementKeySave).not.toHaveBeenCalled();

    expect(await team.saveManagementKey("sk-or-v1-inference-0000")).toBe(false);
    expect(team.managementError).toMatch(/^This is an inference key, not a management key/);
    expect(team.saved).toBe(false);

    expect(await team.saveManagementKey(` ${MANAGEMENT} `)).toBe(true);
    expect(api.teamManagementKeySave).toHaveBeenLastCalledWith(MANAGEMENT);
    expect(team.managementError).toBeNull();
    expect(team.status?.masked).toBe("••••dead");
    expect(team.keys.length, "the keys are listed at once").toBe(1);
  });

  it("says why the keys could not be listed", async () => {
    const api = fakeTeamApi();
    api.teamKeysList.mockRejectedValueOnce(
      refused("OpenRouter refused the management key (401). Nothing was changed."),
    );
    const { team } = await loaded(api);
    expect(team.keysError).toBe(
      "The team's keys could not be listed. OpenRouter refused the management key (401). Nothing was changed.",
    );
  });
});

describe("a new key", () => {
  it("is created with its limit and reset, and its secret is shown once, then forgotten", async () => {
    const { api, team } = await loaded();
    const ok = await team.createKey({ name: " bob ", limit: "$5", reset: "daily", expires: "" });
    expect(ok).toBe(true);
    expect(api.teamKeyCreate).toHaveBeenCalledWith({
      name: "bob",
      limit: "5",
      limitReset: "daily",
      includeByokInLimit: false,
      expiresAt: null,
    });
    const secret = team.created?.secret ?? "";
    expect(secret).toMatch(/^sk-or-v1-secret-/);
    const bob = team.keys.find((k) => k.name === "bob");
    expect(bob && limitText(bob.limit, bob.limitReset)).toBe("$5.00 / day");
    expect(JSON.stringify(team.keys), "the list holds only the label").not.toContain(secret);

    team.dismissCreated();
    expect(team.created).toBeNull();
    expect(
      JSON.stringify({ created: team.created, keys: team.keys }),
      "the secret is gone from the screen's state",
    ).not.toContain(secret);
  });

  it("with an expiry day stops working at the end of that UTC day; never resetting sends none", async () => {
    const { api, team } = await loaded();
    await team.createKey({ name: "carol", limit: "20", reset: "never", expires: "2027-01-31" });
    expect(api.teamKeyCreate).toHaveBeenLastCalledWith(
      expect.objectContaining({
        limit: "20",
        limitReset: null,
        expiresAt: "2027-01-31T23:59:59Z",
      }),
    );
  });

  it("is refused before anything is sent when the form is wrong", async () => {
    const { api, team } = await loaded();
    const tries: [Partial<ReturnType<typeof emptyKeyDraft>>, RegExp][] = [
      [{ name: "" }, /^Name the key/],
      [{ name: "dan", limit: "0" }, /^A limit is an amount in dollars above zero/],
      [{ name: "dan", limit: "five" }, /^A limit is an amount/],
      [{ name: "dan", expires: "2026-11-23" }, /^The expiry date has passed/],
      [{ name: "dan", expires: "2026-02-31" }, /^The expiry is not a date/],
    ];
    for (const [over, message] of tries) {
      expect(await team.createKey({ ...emptyKeyDraft(), ...over })).toBe(false);
      expect(team.createError).toMatch(message);
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
    const { api, team } = await loaded();
    api.teamKeyCreate.mockRejectedValueOnce(
      new AppError({
        code: "network",
        message: "OpenRouter could not be reached.",
        retryable: true,
      }),
    );
    expect(await team.createKey({ ...emptyKeyDraft(), name: "bob" })).toBe(false);
    expect(team.createError).toBe("The key was not created. OpenRouter could not be reached.");
    expect(team.created).toBeNull();
  });
});

describe("changes to a key wait for a confirmation", () => {
  it("a new limit is sent only once confirmed, with its reset", async () => {
    const { api, team } = await loaded();
    const alice = team.keys[0] ?? teamKey();
    expect(team.askLimit(alice, "10", "weekly")).toBe(true);
    expect(team.pending?.kind).toBe("limit");
    expect(api.teamKeyUpdate).not.toHaveBeenCalled();

    await team.confirm();
    expect(api.teamKeyUpdate).toHaveBeenCalledWith(alice.hash, {
      limit: { kind: "amount", usd: "10" },
      limitReset: { kind: "every", period: "weekly" },
    });
    expect(team.pending).toBeNull();
    const now = team.keys[0] ?? teamKey();
    expect(limitText(now.limit, now.limitReset)).toBe("$10.00 / week");
  });

  it("a cancelled change sends nothing", async () => {
    const { api, team } = await loaded();
    team.ask({ kind: "delete", key: team.keys[0] ?? teamKey() });
    team.cancel();
    await team.confirm();
    expect(api.teamKeyDelete).not.toHaveBeenCalled();
    expect(team.keys).toHaveLength(1);
  });

  it("disable, enable and delete call OpenRouter after the confirmation", async () => {
    const { api, team } = await loaded();
    const hash = team.keys[0]?.hash ?? "";
    team.ask({ kind: "disable", key: team.keys[0] ?? teamKey() });
    expect(api.teamKeyUpdate).not.toHaveBeenCalled();
    await team.confirm();
    expect(api.teamKeyUpdate).toHaveBeenLastCalledWith(hash, { disabled: true });
    expect(team.keys[0]?.disabled).toBe(true);

    team.ask({ kind: "enable", key: team.keys[0] ?? teamKey() });
    await team.confirm();
    expect(api.teamKeyUpdate).toHaveBeenLastCalledWith(hash, { disabled: false });
    expect(team.keys[0]?.disabled).toBe(false);

    team.ask({ kind: "delete", key: team.keys[0] ?? teamKey() });
    expect(api.teamKeyDelete).not.toHaveBeenCalled();
    await team.confirm();
    expect(api.teamKeyDelete).toHaveBeenCalledWith(hash);
    expect(team.keys).toEqual([]);
  });

  it("a limit that is not an amount is refused before asking", async () => {
    const { team } = await loaded();
    expect(team.askLimit(team.keys[0] ?? teamKey(), "-3", "daily")).toBe(false);
    expect(team.pending).toBeNull();
    expect(team.actionError).toMatch(/^A limit is an amount in dollars above zero/);
    expect(checkLimit("", "daily")).toEqual({
      change: { limit: { kind: "noLimit" } },
      shown: "no limit",
    });
  });

  it("a refused change says what was not done and why, and keeps the key as it was", async () => {
    const { api, team } = await loaded();
    api.teamKeyUpdate.mockRejectedValueOnce(
      refused("OpenRouter refused the management key (401). Nothing was changed."),
    );
    team.ask({ kind: "disable", key: team.keys[0] ?? teamKey() });
    await team.confirm();
    expect(team.actionError).toBe(
      "The key was not disabled. OpenRouter refused the management key (401). Nothing was changed.",
    );
    expect(team.keys[0]?.disabled).toBe(false);
  });

  it("removing the management key is confirmed too, and leaves the screen asking for one", async () => {
    const { api, team } = await loaded();
    team.ask({ kind: "forget" });
    expect(api.teamManagementKeyRemove).not.toHaveBeenCalled();
    await team.confirm();
    expect(api.teamManagementKeyRemove).toHaveBeenCalledOnce();
    expect(team.saved).toBe(false);
    expect(team.keys).toEqual([]);
  });
});
