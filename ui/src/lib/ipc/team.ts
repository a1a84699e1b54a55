/**
 * OpenRouter team mode over Tauri IPC: the management key (kept in the keychain, never sent
 * back), the team's keys and guardrails, and what the team spent by OpenRouter's own figures.
 */
import { commands } from "./bindings";
import type {
  ChartTheme,
  CreatedTeamKey,
  DateRange,
  Guardrail,
  GuardrailDraft,
  GuardrailTargets,
  ManagementKeyStatus,
  Reconciliation,
  SpendFile,
  TeamChart,
  TeamKey,
  TeamKeyChange,
  TeamKeyDraft,
  TeamSpend,
} from "./bindings";
import { call, done } from "./client";

export const teamApi = {
  /** Whether a management key is saved (masked), and whether it is wrongly set for chat. */
  teamManagementKeyStatus: (): Promise<ManagementKeyStatus> =>
    call(commands.teamManagementKeyStatus()),
  /** Checks the key with OpenRouter and saves it; an inference key is refused, nothing saved. */
  teamManagementKeySave: (key: string): Promise<ManagementKeyStatus> =>
    call(commands.teamManagementKeySave(key)),
  /** Removes the management key from this machine; the team's keys are untouched. */
  teamManagementKeyRemove: (): Promise<ManagementKeyStatus> =>
    call(commands.teamManagementKeyRemove()),
  /** Every team key, disabled ones too. */
  teamKeysList: (): Promise<TeamKey[]> => call(commands.teamKeysList()),
  /** Makes a member's key; the result's `secret` is the only time the key is ever seen. */
  teamKeyCreate: (draft: TeamKeyDraft): Promise<CreatedTeamKey> =>
    call(commands.teamKeyCreate(draft)),
  /** Renames, limits, disables or re-enables a key; what `change` leaves out stays. */
  teamKeyUpdate: (hash: string, change: TeamKeyChange): Promise<TeamKey> =>
    call(commands.teamKeyUpdate(hash, change)),
  /** Deletes a key for good. */
  teamKeyDelete: (hash: string): Promise<void> => done(commands.teamKeyDelete(hash)),
  teamGuardrailsList: (): Promise<Guardrail[]> => call(commands.teamGuardrailsList()),
  teamGuardrailCreate: (draft: GuardrailDraft): Promise<Guardrail> =>
    call(commands.teamGuardrailCreate(draft)),
  /** Replaces every setting of a guardrail; its assignments stay. */
  teamGuardrailUpdate: (id: string, draft: GuardrailDraft): Promise<Guardrail> =>
    call(commands.teamGuardrailUpdate(id, draft)),
  teamGuardrailDelete: (id: string): Promise<void> => done(commands.teamGuardrailDelete(id)),
  /** Assigns a guardrail to keys (replacing the one each had). */
  teamGuardrailAssign: (id: string, targets: GuardrailTargets): Promise<Guardrail> =>
    call(commands.teamGuardrailAssign(id, targets)),
  teamGuardrailUnassign: (id: string, targets: GuardrailTargets): Promise<Guardrail> =>
    call(commands.teamGuardrailUnassign(id, targets)),
  /** Per key, per model, per UTC day over `range` (both days included). */
  teamSpend: (range: DateRange): Promise<TeamSpend> => call(commands.teamSpend(range)),
  /** The team's spend drawn as an SVG chart by plotters, one bar per key, model or day. */
  teamSpendChart: (range: DateRange, by: TeamChart, theme: ChartTheme): Promise<string> =>
    call(commands.teamSpendChart(range, by, theme)),
  /** Saves the team's spend (CSV) or its chart (SVG, PNG) where the user picks; `null` if not. */
  teamSpendExport: (range: DateRange, by: TeamChart, file: SpendFile): Promise<string | null> =>
    call(commands.teamSpendExport(range, by, file)),
  /** OpenRouter's figures against this machine's ledger, for the team keys saved here. */
  teamReconcile: (range: DateRange): Promise<Reconciliation> => call(commands.teamReconcile(range)),
};

export type TeamApi = typeof teamApi;
