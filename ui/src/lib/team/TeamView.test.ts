import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { tick } from "svelte";
import { describe, expect, it } from "vitest";
import { TeamState } from "./team.svelte";
import TeamView from "./TeamView.svelte";
import { fakeTeamApi, MANAGEMENT, NOW, teamKey } from "./testing";

function show(api = fakeTeamApi()) {
  const team = new TeamState(api, () => NOW);
  render(TeamView, { team });
  return { api, team };
}

const rows = () => screen.queryAllByTestId("team-key");

describe("the Team screen", () => {
  it("without a management key explains it and saves one, keeping it out of the page", async () => {
    const { api } = show(fakeTeamApi({ saved: false, keys: [] }));
    const input = await screen.findByLabelText("Management key");
    expect(input).toHaveAttribute("type", "password");
    expect(screen.getByTestId("team-management-key-form").textContent).toContain(
      "cannot run models",
    );

    await fireEvent.input(input, { target: { value: "sk-or-v1-inference-0000" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save management key" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(
      /This is an inference key, not a management key/,
    );

    await fireEvent.input(input, { target: { value: MANAGEMENT } });
    await fireEvent.click(screen.getByRole("button", { name: "Save management key" }));
    await screen.findByTestId("team-management-key-saved");
    expect(api.teamManagementKeySave).toHaveBeenLastCalledWith(MANAGEMENT);
    expect(screen.getByTestId("team-management-key-saved").textContent).toContain("••••dead");
    expect(document.body.innerHTML, "the key never stays in the page").not.toContain(MANAGEMENT);
    await screen.findByRole("heading", { name: "Members' keys" });
  });

  it("lists each key with its usage, limit and reset, and marks the one on this machine", async () => {
    show(
      fakeTeamApi({
        keys: [
          teamKey(),
          teamKey({
            hash: "b".repeat(64),
            name: "bob",
            limit: null,
            limitRemaining: null,
            disabled: true,
            onThisMachine: true,
          }),
        ],
      }),
    );
    await waitFor(() => expect(rows()).toHaveLength(2));
    const [alice, bob] = rows() as [HTMLElement, HTMLElement];
    expect(alice.textContent).toContain("alice");
    expect(alice.textContent).toContain("$5.00 / day");
    expect(alice.textContent).toContain("$4.25 left");
    expect(alice.textContent).toContain("$0.75");
    expect(alice.textContent).toContain("$1.50");
    expect(alice.textContent).toContain("$3.25");
    expect(alice.textContent).toContain("sk-or-v1-abc...wxyz");
    expect(alice.textContent).toContain("Never");
    expect(alice.textContent).not.toContain("This machine");
    expect(bob.textContent).toContain("No limit");
    expect(bob.textContent).toContain("Disabled");
    expect(bob.textContent).toContain("This machine");
  });

  it("creates a key from the labelled form, shows the secret once with Copy, then only its label", async () => {
    const { api } = show();
    await waitFor(() => expect(rows()).toHaveLength(1));
    await fireEvent.input(screen.getByLabelText("Key name"), { target: { value: "bob" } });
    await fireEvent.input(screen.getByLabelText("Limit (USD)"), { target: { value: "5" } });
    await fireEvent.change(screen.getByLabelText("Reset"), { target: { value: "daily" } });
    await fireEvent.click(screen.getByRole("button", { name: "Create key" }));

    const secret = (await screen.findByTestId("team-created-secret")).textContent ?? "";
    expect(secret).toMatch(/^sk-or-v1-secret-1-/);
    const notice = screen.getByTestId("team-created-key");
    expect(notice.textContent).toContain("you will not see it again");
    expect(within(notice).getByRole("button", { name: "Copy key" })).toBeInTheDocument();
    expect(api.teamKeyCreate).toHaveBeenCalledOnce();

    await waitFor(() => expect(rows()).toHaveLength(2));
    const bob = rows().find((r) => r.textContent?.includes("bob")) as HTMLElement;
    expect(bob.textContent).toContain("$5.00 / day");
    expect(bob.textContent).toContain("sk-or-v1-ne1...1111");
    await waitFor(() =>
      expect(screen.getByLabelText("Key name"), "the form is ready for the next").toHaveValue(""),
    );

    await fireEvent.click(within(notice).getByRole("button", { name: "Done" }));
    expect(screen.queryByTestId("team-created-secret")).toBeNull();
    expect(document.body.innerHTML, "the secret is not shown again").not.toContain(secret);
  });

  it("deletes a key only after the confirmation, and Cancel keeps it", async () => {
    const { api } = show();
    await waitFor(() => expect(rows()).toHaveLength(1));
    const pick = async (item: string) => {
      await fireEvent.click(screen.getByRole("button", { name: "Actions for alice" }));
      await tick();
      await fireEvent.click(screen.getByRole("menuitem", { name: item }));
      await tick();
    };

    await pick("Delete");
    const dialog = screen.getByRole("alertdialog");
    expect(dialog.textContent).toContain("Delete alice for good?");
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(api.teamKeyDelete).not.toHaveBeenCalled();

    await pick("Delete");
    await fireEvent.click(screen.getByRole("button", { name: "Delete key" }));
    await waitFor(() => expect(rows()).toHaveLength(0));
    expect(api.teamKeyDelete).toHaveBeenCalledWith("a".repeat(64));
  });

  it("changes a limit through the row's editor and a confirmation", async () => {
    const { api } = show();
    await waitFor(() => expect(rows()).toHaveLength(1));
    await fireEvent.click(screen.getByRole("button", { name: "Actions for alice" }));
    await tick();
    await fireEvent.click(screen.getByRole("menuitem", { name: "Change limit" }));
    await tick();
    await fireEvent.input(screen.getByLabelText("New limit (USD)"), { target: { value: "12.5" } });
    await fireEvent.change(screen.getByLabelText("Resets"), { target: { value: "monthly" } });
    await fireEvent.click(screen.getByRole("button", { name: "Change…" }));
    expect(screen.getByRole("alertdialog").textContent).toContain(
      "Set the limit of alice to $12.50 / month?",
    );
    expect(api.teamKeyUpdate).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole("button", { name: "Set limit" }));
    await waitFor(() => expect(rows()[0]?.textContent).toContain("$12.50 / month"));
    expect(api.teamKeyUpdate).toHaveBeenCalledWith("a".repeat(64), {
      limit: { kind: "amount", usd: "12.5" },
      limitReset: { kind: "every", period: "monthly" },
    });
  });

  it("warns when the management key is also set for chatting, and says where it belongs", async () => {
    const api = fakeTeamApi();
    api.teamManagementKeyStatus.mockResolvedValueOnce({
      saved: true,
      masked: "••••dead",
      usedForChat: true,
    });
    show(api);
    const warning = await screen.findByTestId("team-management-key-for-chat");
    expect(warning.textContent).toContain("Save an inference key for OpenRouter in Settings");
    expect(within(warning).getByRole("button", { name: "Open Settings" })).toBeInTheDocument();
  });
});
