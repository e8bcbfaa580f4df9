namespace CIOPulse.Grains.Delivery;

/// <summary>What a plan does with the webhook's reminder.</summary>
public abstract record ReminderChange
{
    /// <summary>Leave the reminder as it is.</summary>
    public static readonly ReminderChange Keep = new KeepReminder();

    /// <summary>Remove it: nothing will ever be due again.</summary>
    public static readonly ReminderChange Unregister = new UnregisterReminder();

    /// <summary>Register (or move) it to fire after <paramref name="dueIn"/> (zero when already due).</summary>
    public static ReminderChange RegisterIn(TimeSpan dueIn) => new RegisterReminder(dueIn < TimeSpan.Zero ? TimeSpan.Zero : dueIn);

    public sealed record KeepReminder : ReminderChange;

    public sealed record UnregisterReminder : ReminderChange;

    public sealed record RegisterReminder(TimeSpan DueIn) : ReminderChange;
}
