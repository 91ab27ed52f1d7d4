-- Card numbers are stored without spaces or dashes, in capitals (src/loyalty/member-fields.ts,
-- normalizeCardNumber), so "100 200 300" and "100-200-300" are one card. This writes the members
-- stored before that rule the same way. Two members of a company whose cards differ only in spaces,
-- dashes or case would collide under the unique index: those keep their cards as written, for the
-- merchant to settle (the search already finds them both). One grouping pass, no per-row scan.
UPDATE members
SET card_number = upper(replace(replace(replace(replace(replace(card_number, ' ', ''), '-', ''), char(9), ''), char(10), ''), char(13), ''))
WHERE card_number IS NOT NULL
  AND card_number <> upper(replace(replace(replace(replace(replace(card_number, ' ', ''), '-', ''), char(9), ''), char(10), ''), char(13), ''))
  AND upper(replace(replace(replace(replace(replace(card_number, ' ', ''), '-', ''), char(9), ''), char(10), ''), char(13), '')) <> ''
  AND (company_id, upper(replace(replace(replace(replace(replace(card_number, ' ', ''), '-', ''), char(9), ''), char(10), ''), char(13), ''))) IN (
    SELECT company_id, n FROM (
      SELECT company_id, upper(replace(replace(replace(replace(replace(card_number, ' ', ''), '-', ''), char(9), ''), char(10), ''), char(13), '')) AS n, count(*) AS c
      FROM members WHERE card_number IS NOT NULL GROUP BY company_id, n
    ) WHERE c = 1
  );
