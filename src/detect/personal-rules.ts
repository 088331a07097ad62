import { hasLiteral, hasLiteralAnyCase } from "./text-has.js";
import type { Rule } from "./types.js";

/**
 * Personal data: e-mail addresses and Korean identifiers (resident and foreigner registration
 * numbers, phone numbers, business registration numbers, passport numbers). Every number rule
 * validates what it can (dates, check digits, prefixes) so that ids and timestamps in logs and
 * configs do not block a release.
 */

/** Century of a resident/foreigner registration number's 7th digit (1-8; 9 and 0 are 1800s, not issued to the living). */
function centuryOf(g: number): number | undefined {
  if (g === 1 || g === 2 || g === 5 || g === 6) return 1900;
  if (g === 3 || g === 4 || g === 7 || g === 8) return 2000;
  return undefined;
}

function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [
    31,
    year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  return day <= days[month - 1]!;
}

/**
 * A resident (1-4) or foreigner (5-8) registration number `YYMMDD-GNNNNNN`: the date must exist
 * in the century the 7th digit names. The check digit is not required: numbers issued since
 * October 2020 have a random last digit.
 */
export function isRegistrationNumber(digits: string): boolean {
  if (!/^\d{13}$/.test(digits)) return false;
  const century = centuryOf(Number(digits[6]));
  if (century === undefined) return false;
  return isValidDate(century + Number(digits.slice(0, 2)), Number(digits.slice(2, 4)), Number(digits.slice(4, 6)));
}

/** A business registration number `NNN-NN-NNNNN` with its check digit (National Tax Service algorithm). */
export function isBusinessRegistrationNumber(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  const w = [1, 3, 7, 1, 3, 7, 1, 3, 5];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * w[i]!;
  sum += Math.floor((Number(digits[8]) * 5) / 10);
  return (10 - (sum % 10)) % 10 === Number(digits[9]);
}

const onlyDigits = (s: string) => s.replace(/\D/g, "");

// Korean text glues particles to numbers (`010-1234-5678로`), so Hangul after a number is no boundary.
const NUM_BEFORE = String.raw`(?<![\d-])`;
const NUM_AFTER = String.raw`(?![\d-])`;

export const PERSONAL_RULES: Rule[] = [
  {
    id: "email",
    family: "email",
    severity: "block",
    message: "e-mail address",
    // `@`, a domain label and a dot: printable runs of binaries hold `@` every ~100 characters.
    gate: (t) => t.includes("@"),
    anchor: /@[A-Za-z0-9-]{1,63}\./g,
    re: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/g,
    // `user@2x.png` style asset names and package scopes are not addresses.
    accept: (value) => !/\.(?:png|jpe?g|gif|svg|webp)$/i.test(value),
  },
  {
    id: "kr-resident-registration-number",
    family: "kr-pii",
    severity: "block",
    message: "Korean resident or foreigner registration number",
    // Anchored on the separator and the sex digit: a literal first character keeps the search fast
    // in logs full of digits.
    anchor: /[-–]\s?[1-8]\d{6}/g,
    re: new RegExp(String.raw`${NUM_BEFORE}\d{6}\s?[-–]\s?[1-8]\d{6}${NUM_AFTER}`, "g"),
    accept: (v) => isRegistrationNumber(onlyDigits(v)),
  },
  {
    id: "kr-resident-registration-number",
    family: "kr-pii",
    severity: "block",
    message: "Korean resident or foreigner registration number",
    // Without the hyphen 13 digits are too common (ids, timestamps): only after a label.
    anchor: /주민|외국인|등록번호|[Rr]esident|RESIDENT|[Rr]egistration|REGISTRATION|RRN|rrn|ARC/g,
    re: /(?:주민(?:등록)?번호|외국인\s?등록번호|등록번호|resident[\s_-]?(?:registration[\s_-]?)?(?:no|number|id)|registration[\s_-]?(?:no|number)|\brrn|\barc)[^\d\n]{0,20}(?<!\d)(\d{13})(?!\d)/gi,
    group: 1,
    accept: (v) => isRegistrationNumber(v),
  },
  {
    id: "kr-phone-number",
    family: "kr-pii",
    severity: "block",
    message: "Korean mobile phone number",
    // 010 and the older 011/016/017/018/019 prefixes; without separators only the 11-digit 010 form.
    anchor: /01[016789](?:[-. ]\d{3}|\d{8})/g,
    re: new RegExp(String.raw`(?:${NUM_BEFORE}01[016789][-. ]\d{3,4}[-. ]\d{4}|(?<![\d.])010\d{8})${NUM_AFTER}`, "g"),
  },
  {
    id: "kr-phone-number",
    family: "kr-pii",
    severity: "block",
    message: "Korean landline phone number",
    // Seoul 02, the regional 0NN codes and 070 (internet telephony); separators required.
    anchor: /0(?:2|[3-6][1-5]|70)[-. )]\s?[2-9]\d{2,3}[-. ]\d{4}/g,
    re: new RegExp(
      String.raw`${NUM_BEFORE}\(?0(?:2|[3-6][1-5]|70)\)?(?:[-.]|\)\s?|\s)[2-9]\d{2,3}[-. ]\d{4}${NUM_AFTER}`,
      "g",
    ),
  },
  {
    id: "kr-phone-number",
    family: "kr-pii",
    severity: "block",
    message: "Korean phone number in international form",
    gate: (t) => hasLiteral(t, "+82"),
    re: new RegExp(
      String.raw`\+82[-. ]?\(?0?\)?(?:1[016789][-. ]?\d{3,4}[-. ]?\d{4}|(?:2|[3-6][1-5]|70)[-. )]\s?[2-9]\d{2,3}[-. ]\d{4})${NUM_AFTER}`,
      "g",
    ),
  },
  {
    id: "kr-business-registration-number",
    family: "kr-pii",
    severity: "block",
    message: "Korean business registration number",
    anchor: /-\d{2}-\d{5}/g,
    re: new RegExp(String.raw`${NUM_BEFORE}\d{3}-\d{2}-\d{5}${NUM_AFTER}`, "g"),
    accept: (v) => isBusinessRegistrationNumber(onlyDigits(v)),
  },
  {
    id: "kr-passport-number",
    family: "kr-pii",
    severity: "block",
    message: "Korean passport number",
    // M/S/R/O/D and 8 digits (or the 2021 form M123A4567) look like part numbers: only after a label.
    gate: (t) => hasLiteralAnyCase(t, "passport", /passport/i) || hasLiteral(t, "여권"),
    anchor: /passport|여권/gi,
    re: /(?:passport|여권)[^\n]{0,30}?(?<![A-Za-z0-9])([MSROD]\d{8}|[MSROD]\d{3}[A-Z]\d{4})(?![A-Za-z0-9])/gi,
    group: 1,
  },
];
