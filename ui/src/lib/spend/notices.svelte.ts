import type { BudgetAlert } from "../ipc/client";

export interface Notice {
  id: number;
  alert: BudgetAlert;
}

/** At most this many notices stay on screen; older ones give way. */
export const MAX_NOTICES = 4;

/** Budget alerts waiting to be dismissed, newest last. */
export class NoticesState {
  items = $state<Notice[]>([]);
  #next = 1;

  push(alert: BudgetAlert): void {
    const kept = this.items.filter(
      (n) => !(n.alert.budget.id === alert.budget.id && n.alert.threshold === alert.threshold),
    );
    this.items = [...kept, { id: this.#next++, alert }].slice(-MAX_NOTICES);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((n) => n.id !== id);
  }
}
