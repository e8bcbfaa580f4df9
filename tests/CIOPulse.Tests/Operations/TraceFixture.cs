using CIOPulse.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace CIOPulse.Tests.Operations;

/// <summary>
/// A node whose tracer provider (the product's own, with its sources and instrumentation) also
/// exports to memory: the in-memory exporter is the only thing the test adds, with Tracing:Enabled
/// (without it, or an OTLP endpoint, the product makes no spans).
/// </summary>
public abstract class TraceFixture(StorageMode mode) : SiloAppFixture(mode)
{
    public SpanCollection Spans { get; } = new();

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string> { [CIOPulse.Api.WebhookApi.TracingEnabledSetting] = "true" };

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));
}

public sealed class MemoryTraceFixture() : TraceFixture(StorageMode.Memory);

public sealed class PostgresTraceFixture() : TraceFixture(StorageMode.Postgres);

[CollectionDefinition(Memory)]
public sealed class TraceCollection : ICollectionFixture<MemoryTraceFixture>
{
    public const string Memory = "traces (memory)";
    public const string Postgres = "traces (PostgreSQL)";
}

[CollectionDefinition(TraceCollection.Postgres)]
public sealed class PostgresTraceCollection : ICollectionFixture<PostgresTraceFixture>;
