import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import {
  checkGuardrailForm,
  emptyGuardrailForm,
  GuardrailsState,
  splitList,
  toGuardrailForm,
} from "./guardrails.svelte";
import Guardrails from "./Guardrails.svelte";
import { fakeTeamApi, guardrail, teamKey } from "./testing";

describe("a guardrail's form", () => {
  it("becomes the draft OpenRouter takes, lists split and budgets exact", () => {
    expect(
      checkGuardrailForm({
        ...emptyGuardrailForm(),
        name: " Interns ",
        budget: "$2.50",
        reset: "weekly",
        models: "openai/gpt-4o-mini,\nanthropic/claude-sonnet-4  openai/gpt-4o-mini",
        providers: "openai",
        zdr: { anthropic: true, openai: false, google: false, other: true },
      }),
    ).toEqual({
      name: "Interns",
      description: null,
      budget: "2.50",
      budgetReset: "weekly",
      includeByokInBudget: false,
      allowedModels: ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4"],
      allowedProviders: ["openai"],
      zdr: { anthropic: true, openai: false, google: false, other: true },
    });
    expect(checkGuardrailForm({ ...emptyGuardrailForm(), name: "x" })).toMatchObject({
      budget: null,
      budgetReset: null,
      allowedModels: [],
    });
    expect(checkGuardrailForm(emptyGuardrailForm())).toEqual({
      error: "Name the guardrail, such as Interns or Private models only.",
    });
    expect(checkGuardrailForm({ ...emptyGuardrailForm(), name: "x", budget: "0" })).toEqual({
      error: "A budget is an amount in dollars above zero, such as 20 or 2.50.",
    });
    expect(splitList(" , ")).toEqual([]);
    expect(toGuardrailForm(guardrail()).models).toBe("openai/gpt-4o-mini");
  });
});

describe("the guardrails", () => {
  it("are made from the form and listed", async () => {
    const api = fakeTeamApi();
    const guardrails = new GuardrailsState(api);
    await guardrails.load();
    render(Guardrails, { guardrails, keys: [teamKey()] });
    await fireEvent.click(screen.getByRole("button", { name: "New guardrail" }));
    const form = screen.getByRole("form", { name: "New guardrail" });
    await fireEvent.input(within(form).getByLabelText("Name"), { target: { value: "Private" } });
    await fireEvent.click(within(form).getByLabelText("Anthropic models"));
    await fireEvent.click(within(form).getByRole("button", { name: "Create guardrail" }));
    await waitFor(() => expect(screen.getAllByTestId("team-guardrail")).toHaveLength(2));
    expect(api.teamGuardrailCreate).toHaveBeenCalledWith(
      expect.objectContaining({
        name: "Private",
        zdr: { anthropic: true, openai: false, google: false, other: false },
      }),
    );
    expect(screen.getAllByTestId("team-guardrail")[1]?.textContent).toContain(
      "Required for Anthropic models",
    );
  });

  it("are assigned to exactly the keys chosen, and a key leaves the guardrail it had", async () => {
    const api = fakeTeamApi();
    const a = "a".repeat(64);
    const b = "b".repeat(64);
    const guardrails = new GuardrailsState(api);
    guardrails.list = [
      guardrail({ id: "g1", keyHashes: [b] }),
      guardrail({ id: "g2", keyHashes: [a] }),
    ];
    const g1 = guardrails.list[0] ?? guardrail();
    expect(await guardrails.assignKeys(g1, [a])).toBe(true);
    expect(api.teamGuardrailAssign).toHaveBeenCalledWith("g1", {
      keyHashes: [a],
      memberUserIds: [],
    });
    expect(api.teamGuardrailUnassign).toHaveBeenCalledWith("g1", {
      keyHashes: [b],
      memberUserIds: [],
    });
    expect(
      guardrails.list.find((g) => g.id === "g2")?.keyHashes,
      "a key holds one guardrail",
    ).toEqual([]);
  });

  it("are deleted only after the confirmation", async () => {
    const api = fakeTeamApi();
    const guardrails = new GuardrailsState(api);
    await guardrails.load();
    render(Guardrails, { guardrails, keys: [] });
    await fireEvent.click(screen.getByRole("button", { name: "Delete…" }));
    expect(screen.getByRole("alertdialog").textContent).toContain("Delete the guardrail Interns?");
    expect(api.teamGuardrailDelete).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole("button", { name: "Delete guardrail" }));
    await waitFor(() => expect(screen.queryAllByTestId("team-guardrail")).toHaveLength(0));
    expect(api.teamGuardrailDelete).toHaveBeenCalledWith("g1");
  });

  it("say why a change was refused", async () => {
    const api = fakeTeamApi();
    api.teamGuardrailDelete.mockRejectedValueOnce({
      code: "network",
      message: "OpenRouter could not be reached.",
      retryable: true,
    });
    const guardrails = new GuardrailsState(api);
    await guardrails.load();
    guardrails.askDelete(guardrails.list[0] ?? guardrail());
    await guardrails.confirmDelete();
    expect(guardrails.error).toBe("Interns was not deleted. OpenRouter could not be reached.");
    expect(guardrails.list).toHaveLength(1);
  });
});
