-- The tables and queries that the Orleans 10.4 ADO.NET providers (clustering, grain persistence,
-- reminders) read at start-up. Written for this project from the providers' documented contract:
-- every @Name below is a parameter that 10.4.2 sends (Npgsql leaves any other @word untouched,
-- which PostgreSQL would reject), and every time is timestamptz because Orleans passes UTC DateTimes.

CREATE TABLE orleansquery (
    querykey  varchar(64) PRIMARY KEY,
    querytext varchar(8000) NOT NULL
);

-- Clustering --------------------------------------------------------------------------------------

-- One row per cluster (DeploymentId = Orleans ClusterId); Version is the membership table's ETag.
CREATE TABLE orleansmembershipversiontable (
    deploymentid varchar(150) PRIMARY KEY,
    timestamp    timestamptz NOT NULL DEFAULT now(),
    version      integer NOT NULL DEFAULT 0
);

CREATE TABLE orleansmembershiptable (
    deploymentid varchar(150) NOT NULL REFERENCES orleansmembershipversiontable (deploymentid),
    address      varchar(45) NOT NULL,
    port         integer NOT NULL,
    generation   integer NOT NULL,
    siloname     varchar(150) NOT NULL,
    hostname     varchar(150) NOT NULL,
    status       integer NOT NULL,
    proxyport    integer NULL,
    suspecttimes varchar(8000) NULL,
    starttime    timestamptz NOT NULL,
    iamalivetime timestamptz NOT NULL,
    PRIMARY KEY (deploymentid, address, port, generation)
);

-- Bumps the cluster's version only if the caller saw the current one (optimistic concurrency).
CREATE FUNCTION ciopulse_membership_bump(p_deployment text, p_version integer) RETURNS boolean
LANGUAGE sql AS $$
    WITH bumped AS (
        UPDATE orleansmembershipversiontable
           SET version = version + 1, timestamp = now()
         WHERE deploymentid = p_deployment AND version = p_version AND version < 2147483647
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM bumped)
$$;

-- Insert a silo row and bump the version atomically; 0 (and nothing changed) on a lost race.
CREATE FUNCTION ciopulse_membership_insert(
    p_deployment text, p_address text, p_port integer, p_generation integer, p_siloname text,
    p_hostname text, p_status integer, p_proxyport integer, p_starttime timestamptz,
    p_iamalivetime timestamptz, p_version integer) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT ciopulse_membership_bump(p_deployment, p_version) THEN
        RETURN 0;
    END IF;
    INSERT INTO orleansmembershiptable
        (deploymentid, address, port, generation, siloname, hostname, status, proxyport, suspecttimes, starttime, iamalivetime)
    VALUES (p_deployment, p_address, p_port, p_generation, p_siloname, p_hostname, p_status, p_proxyport, NULL, p_starttime, p_iamalivetime)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        -- Undo the bump: the row already exists, so this insert lost.
        UPDATE orleansmembershipversiontable SET version = version - 1 WHERE deploymentid = p_deployment;
        RETURN 0;
    END IF;
    RETURN 1;
END
$$;

CREATE FUNCTION ciopulse_membership_update(
    p_deployment text, p_address text, p_port integer, p_generation integer, p_status integer,
    p_suspecttimes text, p_iamalivetime timestamptz, p_version integer) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT ciopulse_membership_bump(p_deployment, p_version) THEN
        RETURN 0;
    END IF;
    UPDATE orleansmembershiptable
       SET status = p_status, suspecttimes = p_suspecttimes, iamalivetime = GREATEST(iamalivetime, p_iamalivetime)
     WHERE deploymentid = p_deployment AND address = p_address AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        UPDATE orleansmembershipversiontable SET version = version - 1 WHERE deploymentid = p_deployment;
        RETURN 0;
    END IF;
    RETURN 1;
END
$$;

INSERT INTO orleansquery (querykey, querytext) VALUES
('InsertMembershipVersionKey',
 'WITH inserted AS (INSERT INTO orleansmembershipversiontable (deploymentid) VALUES (@DeploymentId) ON CONFLICT DO NOTHING RETURNING 1)
  SELECT count(*)::integer FROM inserted'),
('InsertMembershipKey',
 'SELECT ciopulse_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version)'),
('UpdateMembershipKey',
 'SELECT ciopulse_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version)'),
('UpdateIAmAlivetimeKey',
 'UPDATE orleansmembershiptable SET iamalivetime = GREATEST(iamalivetime, @IAmAliveTime)
   WHERE deploymentid = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation'),
('MembershipReadRowKey',
 'SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status, m.proxyport,
         m.suspecttimes, m.starttime, m.iamalivetime, v.version
    FROM orleansmembershipversiontable v
    LEFT JOIN orleansmembershiptable m
      ON m.deploymentid = v.deploymentid AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
   WHERE v.deploymentid = @DeploymentId'),
('MembershipReadAllKey',
 'SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status, m.proxyport,
         m.suspecttimes, m.starttime, m.iamalivetime, v.version
    FROM orleansmembershipversiontable v
    LEFT JOIN orleansmembershiptable m ON m.deploymentid = v.deploymentid
   WHERE v.deploymentid = @DeploymentId'),
('DeleteMembershipTableEntriesKey',
 'DELETE FROM orleansmembershiptable WHERE deploymentid = @DeploymentId;
  DELETE FROM orleansmembershipversiontable WHERE deploymentid = @DeploymentId'),
('GatewaysQueryKey',
 'SELECT address, proxyport, generation FROM orleansmembershiptable
   WHERE deploymentid = @DeploymentId AND status = @Status AND proxyport > 0'),
('CleanupDefunctSiloEntriesKey',
 'DELETE FROM orleansmembershiptable
   WHERE deploymentid = @DeploymentId AND iamalivetime < @IAmAliveTime AND status = 6');

-- Grain persistence -------------------------------------------------------------------------------

CREATE TABLE orleansstorage (
    grainidhash            integer NOT NULL,
    grainidn0              bigint NOT NULL,
    grainidn1              bigint NOT NULL,
    graintypehash          integer NOT NULL,
    graintypestring        varchar(512) NOT NULL,
    grainidextensionstring varchar(512) NULL,
    serviceid              varchar(150) NOT NULL,
    payloadbinary          bytea NULL,
    modifiedon             timestamptz NOT NULL DEFAULT now(),
    version                integer NULL
);

-- Identity of a grain's state; unique so two concurrent first writes cannot both insert.
CREATE UNIQUE INDEX orleansstorage_identity ON orleansstorage
    (serviceid, graintypehash, grainidhash, grainidn0, grainidn1, graintypestring, COALESCE(grainidextensionstring, ''));

INSERT INTO orleansquery (querykey, querytext) VALUES
('ReadFromStorageKey',
 'SELECT payloadbinary, version FROM orleansstorage
   WHERE serviceid = @ServiceId AND graintypehash = @GrainTypeHash AND grainidhash = @GrainIdHash
     AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1 AND graintypestring = @GrainTypeString
     AND COALESCE(grainidextensionstring, '''') = COALESCE(@GrainIdExtensionString::varchar, '''')'),
-- Insert when no version was read (only if no row exists), update when the read version still holds;
-- otherwise return the caller''s version unchanged, which Orleans reports as a conflict.
('WriteToStorageKey',
 'WITH updated AS (
      UPDATE orleansstorage SET payloadbinary = @PayloadBinary, version = version + 1, modifiedon = now()
       WHERE @GrainStateVersion::integer IS NOT NULL
         AND serviceid = @ServiceId AND graintypehash = @GrainTypeHash AND grainidhash = @GrainIdHash
         AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1 AND graintypestring = @GrainTypeString
         AND COALESCE(grainidextensionstring, '''') = COALESCE(@GrainIdExtensionString::varchar, '''')
         AND version = @GrainStateVersion::integer
      RETURNING version),
  inserted AS (
      INSERT INTO orleansstorage (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring, grainidextensionstring, serviceid, payloadbinary, version)
      SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString::varchar, @ServiceId, @PayloadBinary, 1
       WHERE @GrainStateVersion::integer IS NULL
      ON CONFLICT DO NOTHING
      RETURNING version)
  SELECT COALESCE((SELECT version FROM updated), (SELECT version FROM inserted), @GrainStateVersion::integer) AS NewGrainStateVersion'),
('ClearStorageKey',
 'UPDATE orleansstorage SET payloadbinary = NULL, version = version + 1, modifiedon = now()
   WHERE serviceid = @ServiceId AND graintypehash = @GrainTypeHash AND grainidhash = @GrainIdHash
     AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1 AND graintypestring = @GrainTypeString
     AND COALESCE(grainidextensionstring, '''') = COALESCE(@GrainIdExtensionString::varchar, '''')
     AND version = @GrainStateVersion::integer
  RETURNING version');

-- Reminders ---------------------------------------------------------------------------------------

CREATE TABLE orleansreminderstable (
    serviceid    varchar(150) NOT NULL,
    grainid      varchar(150) NOT NULL,
    remindername varchar(150) NOT NULL,
    starttime    timestamptz NOT NULL,
    period       bigint NOT NULL,
    grainhash    integer NOT NULL,
    version      integer NOT NULL,
    PRIMARY KEY (serviceid, grainid, remindername)
);

-- Silos read their share of the ring by hash range.
CREATE INDEX orleansreminderstable_ring ON orleansreminderstable (serviceid, grainhash);

INSERT INTO orleansquery (querykey, querytext) VALUES
('UpsertReminderRowKey',
 'INSERT INTO orleansreminderstable AS r (serviceid, grainid, remindername, starttime, period, grainhash, version)
  VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
  ON CONFLICT (serviceid, grainid, remindername)
  DO UPDATE SET starttime = excluded.starttime, period = excluded.period, grainhash = excluded.grainhash, version = r.version + 1
  RETURNING version'),
('ReadReminderRowsKey',
 'SELECT grainid, remindername, starttime, period, version FROM orleansreminderstable
   WHERE serviceid = @ServiceId AND grainid = @GrainId'),
('ReadReminderRowKey',
 'SELECT grainid, remindername, starttime, period, version FROM orleansreminderstable
   WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName'),
('ReadRangeRows1Key',
 'SELECT grainid, remindername, starttime, period, version FROM orleansreminderstable
   WHERE serviceid = @ServiceId AND grainhash > @BeginHash AND grainhash <= @EndHash'),
('ReadRangeRows2Key',
 'SELECT grainid, remindername, starttime, period, version FROM orleansreminderstable
   WHERE serviceid = @ServiceId AND (grainhash > @BeginHash OR grainhash <= @EndHash)'),
('DeleteReminderRowKey',
 'WITH deleted AS (
      DELETE FROM orleansreminderstable
       WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName AND version = @Version
      RETURNING 1)
  SELECT count(*)::integer FROM deleted'),
('DeleteReminderRowsKey',
 'DELETE FROM orleansreminderstable WHERE serviceid = @ServiceId');
