using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// Keeps everything logged through it, for a test to look at: each entry's formatted message, its
/// structured fields and scopes, and its exception as text. Register it as an
/// <see cref="ILoggerProvider"/> service of a node (<see cref="SiloApp.StartAsync"/>'s services) or add it to a logger factory.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    /// <summary>One log call: <see cref="Text"/> holds the message, every field and scope value, and the exception.</summary>
    public sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception, string Text);

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            var text = new StringBuilder(message);
            Append(text, state);
            provider._scopes.ForEachScope((scope, builder) => Append(builder, scope), text);
            text.Append(' ').Append(exception);
            provider.Entries.Enqueue(new LogEntry(category, logLevel, message, exception, text.ToString()));
        }

        private static void Append(StringBuilder text, object? state)
        {
            if (state is IEnumerable<KeyValuePair<string, object?>> fields)
            {
                foreach (var (key, value) in fields)
                {
                    text.Append(' ').Append(key).Append('=').Append(value);
                }
            }
            else
            {
                text.Append(' ').Append(state);
            }
        }
    }
}
