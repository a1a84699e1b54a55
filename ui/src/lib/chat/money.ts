/**
 * Chat's money helpers live in ../shared/money.ts with the app's one precision rule; this
 * re-export keeps Chat's imports working.
 */
export {
  compareMoney,
  formatPrice,
  formatTotal,
  formatUsd,
  moneyExact,
  moneyScan,
  parseMoney,
  renderMoney,
  sumMoney,
  type MoneyTotal,
  type Scaled,
} from "../shared/money";
