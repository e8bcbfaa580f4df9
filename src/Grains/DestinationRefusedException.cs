namespace CIOPulse.Grains;

/// <summary>A connection the destination policy refused to open (a private, loopback or link-local address).</summary>
public sealed class DestinationRefusedException(string message) : HttpRequestException(HttpRequestError.ConnectionError, message);
