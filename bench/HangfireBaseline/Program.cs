using CIOPulse.HangfireBaseline;
using Npgsql;

// The Hangfire + Hangfire.PostgreSql baseline of issue 4, started by the delivery benchmark with
// `--target hangfire`; by hand:
//   dotnet CIOPulse.HangfireBaseline.dll --ConnectionStrings:Postgres=... --Api:SystemKey=... --urls=http://127.0.0.1:5095
var app = BaselineHost.Build(args);
await BaselineSchema.EnsureCreatedAsync(app.Services.GetRequiredService<NpgsqlDataSource>());
await app.RunAsync();
