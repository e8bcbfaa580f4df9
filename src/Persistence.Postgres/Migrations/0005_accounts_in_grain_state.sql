-- Accounts and the portal key ring move from Orleans' ADO.NET grain storage (orleansstorage) to
-- grain_state, where a row is keyed by the whole grain id. The ADO.NET provider keeps a string key
-- that reads as a hexadecimal number or a GUID as that number, so two account ids such as `cafe1`
-- and `0cafe1` (both valid account ids) were one stored account. Each row is moved under the
-- spelling Orleans gives that number (lowercase hex without leading zeros; a GUID without dashes);
-- string keys move as they are. The state bytes are the same Orleans binary serialization.
INSERT INTO grain_state (service_id, grain_id, version, payload, modified_on)
SELECT s.serviceid,
       length(s.graintypestring) || ':' || s.graintypestring || ':'
           || CASE s.graintypestring WHEN 'account' THEN 'account' ELSE 'portalkeyring' END || '/'
           || CASE
                  WHEN s.grainidextensionstring IS NOT NULL THEN s.grainidextensionstring
                  WHEN s.grainidn0 = 0 THEN to_hex(s.grainidn1)
                  -- A GUID's 16 bytes are n0 then n1, each little-endian; written as .NET's "N" form.
                  ELSE substr(h.n0, 9, 8) || substr(h.n0, 5, 4) || substr(h.n0, 1, 4)
                       || substr(h.n1, 15, 2) || substr(h.n1, 13, 2) || substr(h.n1, 11, 2) || substr(h.n1, 9, 2)
                       || substr(h.n1, 7, 2) || substr(h.n1, 5, 2) || substr(h.n1, 3, 2) || substr(h.n1, 1, 2)
              END,
       coalesce(s.version, 1),
       s.payloadbinary,
       s.modifiedon
  FROM orleansstorage s
 CROSS JOIN LATERAL (SELECT encode(int8send(s.grainidn0), 'hex') AS n0, encode(int8send(s.grainidn1), 'hex') AS n1) h
 WHERE s.graintypestring IN ('account', 'keyring') AND s.payloadbinary IS NOT NULL
ON CONFLICT DO NOTHING;

DELETE FROM orleansstorage WHERE graintypestring IN ('account', 'keyring');
