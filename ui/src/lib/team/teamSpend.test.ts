import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { sumMoney } from "../shared/money";
import { mondayUtc, rangeProblem, totalsBy, TODAY_BY_MODEL } from "./format";
import { TeamSpendState } from "./teamSpend.svelte";
import TeamSpendSection from "./TeamSpendSection.svelte";
import { fakeTeamApi, NOW, weekSpend } from "./testing";

const WEEK = { since: "2026-11-23", until: "2026-11-24" };

describe("the team's spend range", () => {
  it("starts on this week's Monday (UTC) and ends today", () => {
    const teamSpend = new TeamSpendState(fakeTeamApi(), NOW);
    expect([teamSpend.since, teamSpend.until]).toEqual(["2026-11-23", "2026-11-24"]);
    expect(mondayUtc(Date.UTC(2026, 10, 29, 23, 59)), "Sunday belongs to the week before").toBe(
      "2026-11-23",
    );
    expect(mondayUtc(Date.UTC(2026, 10, 30, 0, 0)), "Monday starts a week").toBe("2026-11-30");
    expect(mondayUtc(Date.UTC(2027, 0, 2)), "across a year").toBe("2026-12-28");
  });

  it("is checked before anything is asked", async () => {
    const api = fakeTeamApi();
    const teamSpend = new TeamSpendState(api, NOW);
    teamSpend.since = "2026-11-25";
    await teamSpend.load();
    expect(teamSpend.error).toBe("The start date is after the end date.");
    expect(api.teamSpend).not.toHaveBeenCalled();
    expect(rangeProblem("2026-11-01", "2026-11-30", "2026-11-24")).toMatch(
      /^The range ends after today \(2026-11-24, UTC\)/,
    );
    expect(rangeProblem("2026-02-30", "2026-03-01", "2026-11-24")).toBe(
      "The start date is not a date.",
    );
  });
});

describe("the totals tables", () => {
  it("sum per key and per model exactly, costliest first, and add up to OpenRouter's total", () => {
    const spend = weekSpend();
    const keys = totalsBy(spend.rows, "key");
    expect(keys.map((k) => [k.label, k.usage, k.byokUsage, k.requests])).toEqual([
      ["bob", "1.25", "0", 1],
      ["alice", "0.35000000001", "0.3", 5],
    ]);
    const models = totalsBy(spend.rows, "model");
    expect(models.map((m) => [m.label, m.usage])).toEqual([
      ["anthropic/claude-sonnet-4", "1.45000000001"],
      ["openai/gpt-4o-mini", "0.1"],
      [TODAY_BY_MODEL, "0.05"],
    ]);
    for (const table of [keys, models]) {
      expect(sumMoney(table.map((r) => r.usage)).total).toBe(spend.total);
      expect(table.reduce((n, r) => n + r.requests, 0)).toBe(spend.requests);
    }
  });

  it("show OpenRouter's figures for the week, the chart, and the comparison with this machine", async () => {
    const api = fakeTeamApi();
    render(TeamSpendSection, { teamSpend: new TeamSpendState(api, NOW) });
    const keys = await screen.findByTestId("team-spend-keys");
    const keyRows = within(keys).getAllByTestId("team-spend-keys-row");
    const cells = (r: HTMLElement) =>
      [...r.querySelectorAll("th, td")].map((c) => c.textContent?.trim()).join(" ");
    expect(keyRows.map(cells)).toEqual(["bob $1.25 $0.00 1", "alice $0.35000000001 $0.30 5"]);
    expect(within(keys).getByTestId("team-spend-keys-total").textContent?.trim()).toBe(
      "$1.60000000001",
    );
    const models = screen.getByTestId("team-spend-models");
    expect(within(models).getAllByTestId("team-spend-models-row")).toHaveLength(3);
    expect(within(models).getByTestId("team-spend-models-total").textContent?.trim()).toBe(
      "$1.60000000001",
    );
    expect(api.teamSpend).toHaveBeenCalledWith(WEEK);

    await waitFor(() =>
      expect(screen.getByTestId("spend-chart").querySelector("svg")).not.toBeNull(),
    );
    expect(api.teamSpendChart).toHaveBeenLastCalledWith(WEEK, "key", expect.any(String));
    await fireEvent.change(screen.getByLabelText("Chart by"), { target: { value: "model" } });
    await waitFor(() =>
      expect(api.teamSpendChart).toHaveBeenLastCalledWith(WEEK, "model", expect.any(String)),
    );

    const reconcile = await screen.findByTestId("team-reconciliation");
    expect(reconcile.textContent).toContain(
      "One key of the team is saved here; OpenRouter counted $0.05 more than this machine.",
    );
    const row = within(reconcile).getByTestId("team-reconciliation-row");
    expect(row.textContent).toContain("$0.35000000001");
    expect(row.textContent).toContain("$0.30");
    expect(row.textContent).toContain("$0.05000000001");
    expect(row.textContent).toContain("the key was also used from another machine");
  });

  it("says that days before OpenRouter's 30 are missing, not zero", async () => {
    const api = fakeTeamApi();
    api.teamSpend.mockResolvedValue({
      ...weekSpend(),
      range: { since: "2026-10-01", until: "2026-11-24" },
    });
    const teamSpend = new TeamSpendState(api, NOW);
    teamSpend.since = "2026-10-01";
    render(TeamSpendSection, { teamSpend });
    expect(
      (await screen.findByText(/days before 2026-10-25 are missing here, not zero/)).textContent,
    ).toContain("last 30 finished days");
  });
});

describe("saving the team's spend", () => {
  it("asks Rust for the CSV of the range and says where it went; a cancelled dialog says nothing", async () => {
    const api = fakeTeamApi();
    render(TeamSpendSection, { teamSpend: new TeamSpendState(api, NOW) });
    await fireEvent.click(await screen.findByTestId("team-spend-export-csv"));
    expect(api.teamSpendExport).toHaveBeenCalledWith(WEEK, "key", "csv");
    expect((await screen.findByText(/Saved CSV to/)).textContent).toContain(
      "/home/me/Downloads/team.csv",
    );

    api.teamSpendExport.mockResolvedValueOnce(null);
    await fireEvent.click(screen.getByTestId("team-spend-export-svg"));
    await waitFor(() => expect(screen.queryByText(/Saved/)).toBeNull());
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says why a file could not be saved", async () => {
    const api = fakeTeamApi();
    api.teamSpendExport.mockRejectedValueOnce({
      code: "storage",
      message: "The folder cannot be written.",
      retryable: false,
    });
    const teamSpend = new TeamSpendState(api, NOW);
    await teamSpend.exportAs("png");
    expect(teamSpend.exportError).toBe("The folder cannot be written.");
    expect(teamSpend.exported).toBeNull();
  });
});
