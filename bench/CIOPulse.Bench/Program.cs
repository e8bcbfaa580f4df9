using CIOPulse.Bench;

// dotnet run --project bench/CIOPulse.Bench -c Release -- <benchmark> [--option value ...]
//   delivery     end to end through the HTTP API (see DeliveryBenchmark)
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: CIOPulse.Bench delivery|log-listing|reminders|portal-live|bulk-resend|retention [--option value ...]");
    return 2;
}

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

return args[0] switch
{
    "delivery" => await DeliveryBenchmark.RunAsync(options),
    "log-listing" => await LogListingBenchmark.RunAsync(options),
    "reminders" => await ReminderLoadBenchmark.RunAsync(options),
    "portal-live" => await PortalLiveBenchmark.RunAsync(options),
    "bulk-resend" => await BulkResendBenchmark.RunAsync(options),
    "retention" => await RetentionBenchmark.RunAsync(options),
    _ => throw new ArgumentException($"unknown benchmark '{args[0]}'"),
};
