using CIOPulse.Api;

// The standalone gateway (see GatewayHost).
await GatewayHost.Build(args).RunAsync();
