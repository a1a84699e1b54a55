import { describe, expect, it } from "vitest";
import {
  compareMoney,
  formatPrice,
  formatTotal,
  formatUsd,
  moneyExact,
  moneyScan,
  sumMoney,
} from "./money";

describe("moneyExact: figures the user checks", () => {
  it.each([
    ["0", "$0.00", "zero still has two decimals"],
    ["0.000000000000", "$0.00", "zero at the ledger's full scale"],
    ["0.00703425", "$0.00703425", "every digit of a sub-cent cost (the issue's example)"],
    ["0.000000000001", "$0.000000000001", "a picodollar, the ledger's smallest unit"],
    ["1.5", "$1.50", "padded to two decimals"],
    ["12.000", "$12.00", "trailing zeros trimmed, then padded"],
    ["0.004210", "$0.00421", "a trailing zero the ledger carries adds nothing"],
    ["1234567.123456789012", "$1234567.123456789012", "large and long: nothing rounded"],
    ["10", "$10.00", "a whole amount"],
    ["-0.5", "-$0.50", "the sign goes before the dollar"],
    ["-0", "$0.00", "negative zero is zero"],
    [" 0.42 ", "$0.42", "surrounding spaces are ignored"],
  ])("%s → %s (%s)", (amount, shown) => {
    expect(moneyExact(amount)).toBe(shown);
  });

  it("shows what it cannot read as it is, never as $0", () => {
    expect(moneyExact("abc")).toBe("$abc");
  });
});

describe("moneyScan: figures the user scans", () => {
  it.each([
    ["0", "$0.00", "zero"],
    ["0.00703425", "$0.007034", "four significant digits (the chart title of the issue)"],
    ["0.000000000001", "$0.000000000001", "a tiny non-zero amount never reads as $0"],
    ["0.0000015", "$0.0000015", "trailing zeros past the significant digits are trimmed"],
    ["0.15", "$0.15", "a list price"],
    ["0.1", "$0.10", "at least two decimals"],
    ["0.0375", "$0.0375", "a price with leading zeros"],
    ["0.123456", "$0.1235", "rounded half away from zero"],
    ["0.00012345", "$0.0001235", "half rounds up"],
    ["0.00012344", "$0.0001234", "below half rounds down"],
    ["0.99996", "$1.00", "rounding up to a dollar switches to two decimals"],
    ["1", "$1.00", "a dollar"],
    ["3.015", "$3.02", "two decimals at a dollar or more, half up"],
    ["4.8351", "$4.84", "a chart total"],
    ["1234.5678", "$1234.57", "large amounts keep cents"],
    ["-0.00703425", "-$0.007034", "negative, sign first"],
    ["-2.5", "-$2.50", "negative dollars"],
  ])("%s → %s (%s)", (amount, shown) => {
    expect(moneyScan(amount)).toBe(shown);
  });

  it("reads floats (the router's predictions) by their shortest decimal form", () => {
    expect(moneyScan(0.012345), "no binary noise: 0.012345 rounds half up").toBe("$0.01235");
    expect(moneyScan(0.5)).toBe("$0.50");
    expect(moneyScan(0)).toBe("$0.00");
    expect(moneyScan(1e-9), "no exponent, never $0").toBe("$0.000000001");
    expect(moneyScan(0.1 + 0.2), "float error does not show").toBe("$0.30");
    expect(moneyScan(12.345)).toBe("$12.35");
    expect(moneyScan(-0.0000456)).toBe("-$0.0000456");
  });

  it("agrees with moneyExact wherever an amount has few digits", () => {
    for (const a of ["0", "0.5", "1.25", "0.0123", "99.99"]) {
      expect(moneyScan(a), a).toBe(moneyExact(a));
    }
  });
});

describe("the helpers Chat keeps using", () => {
  it("totals are exact and prices are scanned", () => {
    expect(formatTotal(sumMoney(["0.00703425", null])), "a total is exact").toBe(
      "$0.00703425 +1 unknown",
    );
    expect(formatPrice("0.123456"), "a list price is scanned").toBe("$0.1235/M");
    expect(formatPrice(null)).toBe("variable");
  });
});

describe("money", () => {
  it("sums decimal strings exactly", () => {
    expect(sumMoney(["0.1", "0.2"]).total, "0.1 + 0.2 must be exactly 0.3").toBe("0.3");
    expect(sumMoney(["0.000001", "1.5", "2"]).total, "mixed scales add exactly").toBe("3.500001");
    expect(sumMoney([]).total, "an empty sum is zero").toBe("0");
    expect(sumMoney(["-0.5", "0.25"]).total, "negatives work").toBe("-0.25");
  });

  it("counts unknown costs separately and never as $0", () => {
    const t = sumMoney(["0.1", null, "0.2", null, "garbage"]);
    expect(t.total, "unknowns are not added").toBe("0.3");
    expect(t.unknown, "two nulls and one unreadable are unknown").toBe(3);
    expect(formatTotal(t), "the display names the unknowns").toBe("$0.30 +3 unknown");
  });

  it("compares and formats", () => {
    expect(compareMoney("0.0001", "0.001"), "0.0001 < 0.001").toBeLessThan(0);
    expect(compareMoney("1.10", "1.1"), "equal values at different scales").toBe(0);
    expect(formatUsd("0.000123"), "sub-cent amounts keep their digits").toBe("$0.000123");
    expect(formatUsd("1.5"), "two decimals at least").toBe("$1.50");
    expect(formatUsd("0.0000015"), "rounded half up to six places for display").toBe("$0.000002");
    expect(formatUsd("0.00000049"), "a tiny non-zero cost is never shown as $0").toBe("<$0.000001");
    expect(formatPrice(null), "null price is variable").toBe("variable");
    expect(formatPrice("0.15"), "a price per million").toBe("$0.15/M");
  });
});
