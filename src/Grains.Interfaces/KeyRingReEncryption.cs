namespace CIOPulse.Grains.Interfaces;

/// <summary>What re-encrypting the portal's key ring did, key by key.</summary>
[GenerateSerializer, Immutable, Alias("ciopulse.KeyRingReEncryption")]
public sealed record KeyRingReEncryption(
    [property: Id(0)] int ReEncrypted,
    [property: Id(1)] int AlreadyCurrent,
    [property: Id(2)] int Undecryptable);
