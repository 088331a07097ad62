import { hasLiteral, hasLiteralAnyCase } from "./text-has.js";
import type { Rule } from "./types.js";

/**
 * Personal data: e-mail addresses, Korean identifiers (resident and foreigner registration
 * numbers, phone numbers, business registration, passport and driver's licence numbers), payment
 * card numbers, IBANs and US social security numbers. Every number rule validates what it can
 * (dates, check digits, prefixes, a label where the shape alone is common) so that ids and
 * timestamps in logs and configs do not block a release.
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

/** The Luhn check every payment card number passes. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A card number: 13-19 digits, an issuer prefix in use (Visa, Mastercard, Amex, Discover, JCB, UnionPay, Diners), the Luhn check. */
export function isPaymentCardNumber(digits: string): boolean {
  if (!/^\d{13,19}$/.test(digits) || /^(\d)\1+$/.test(digits)) return false;
  if (
    !/^(?:4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|3(?:0[0-5]|[68])|6(?:011|5|4[4-9]|2)|35(?:2[89]|[3-8]))/.test(
      digits,
    )
  )
    return false;
  return passesLuhn(digits);
}

/** An IBAN: country, check digits, 11-30 alphanumerics, and the ISO 13616 mod-97 check. */
export function isIban(value: string): boolean {
  const v = value.replace(/\s/g, "");
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(v)) return false;
  const moved = v.slice(4) + v.slice(0, 4);
  let rest = 0;
  for (const c of moved) {
    const n = c >= "A" ? String(c.charCodeAt(0) - 55) : c;
    for (const d of n) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest === 1;
}

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
    id: "kr-driver-licence-number",
    family: "kr-pii",
    severity: "block",
    message: "Korean driver's licence number",
    // `RR-YY-NNNNNN-CC` with a region code (11-28), or the region's name in Hangul since 2011.
    anchor: /-\d{6}-\d{2}/g,
    re: new RegExp(
      String.raw`(?:${NUM_BEFORE}(?:1[1-9]|2[0-8])-\d{2}|(?:서울|부산|경기|강원|충북|충남|전북|전남|경북|경남|제주|대구|인천|광주|대전|울산|세종)\s?\d{2})-\d{6}-\d{2}${NUM_AFTER}`,
      "g",
    ),
  },
  {
    id: "payment-card-number",
    family: "payment",
    severity: "block",
    message: "payment card number",
    // Grouped as printed (4-4-4-4, 4-6-5, 4-4-4-4-3): anywhere. As one run of digits, ids and
    // timestamps pass the Luhn check one time in ten: only after a label.
    anchor: /\d{4}[ -]\d{4,6}[ -]\d{4,5}|(?:card|카드|visa|master|amex)/gi,
    re: /(?<![\d.-])(?:\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?|\d{4}([ -])\d{6}\2\d{5})(?![\d-]|\.\d)|(?:card|카드|visa|master|amex)[^\d\n]{0,20}(?<!\d)(\d{13,19})(?!\d)/gi,
    group: [3, 0],
    accept: (v) => isPaymentCardNumber(onlyDigits(v)),
  },
  {
    id: "iban",
    family: "payment",
    severity: "block",
    message: "international bank account number (IBAN)",
    anchor: /(?<![A-Za-z0-9])[A-Z]{2}\d{2} ?[A-Z0-9]{4}/g,
    re: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])/g,
    accept: (v) => isIban(v),
  },
  {
    id: "us-social-security-number",
    family: "us-pii",
    severity: "block",
    message: "US social security number",
    // `NNN-NN-NNNN` is also a part-number shape: only after a label.
    anchor: /ssn|social[\s_-]?security|사회보장/gi,
    re: /(?:\bssn|social[\s_-]?security(?:[\s_-]?(?:no|number))?|사회보장번호)[^\d\n]{0,20}(?<![\d-])((?!000|666|9\d\d)\d{3}([- ]?)(?!00)\d{2}\2(?!0000)\d{4})(?![\d-])/gi,
    group: 1,
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
