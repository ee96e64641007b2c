// Numbers as the summary, the warnings and the pull-request comment print them, in one place so
// they agree: counts with thousands separators, money with its currency's symbol.
import type { Currency } from "../catalog/types";

const SYMBOL: Record<Currency, string> = { USD: "$", EUR: "€" };

/** 8192 → "8,192". */
export const formatCount = (n: number): string => n.toLocaleString("en-US");

/** (12.5, "EUR") → "€12.50"; negative amounts keep their sign before the symbol. */
export const formatMoney = (v: number, currency: string): string => `${v < 0 ? "-" : ""}${SYMBOL[currency as Currency] ?? ""}${Math.abs(v).toFixed(2)}${currency in SYMBOL ? "" : ` ${currency}`}`;
