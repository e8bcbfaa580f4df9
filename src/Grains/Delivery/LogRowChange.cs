namespace CIOPulse.Grains.Delivery;

/// <summary>What a plan does with the webhook's Webhook Log row.</summary>
public enum LogRowChange
{
    /// <summary>The row stays.</summary>
    None,

    /// <summary>A new webhook's first row, committed as one unit with its first state write.</summary>
    FirstWithState,

    /// <summary>The row is made again from the state, after the state is stored.</summary>
    Replace,
}
