namespace IotLabKit.Emulator.Core.Telemetry;

/// <summary>A consumer group of the Event Hubs-compatible endpoint.</summary>
/// <param name="Name">Its name as created (matched ignoring case, as Event Hubs does).</param>
/// <param name="CreatedTimeUtc">When it was created; for <c>$Default</c>, which every hub has, null.</param>
public sealed record ConsumerGroup(string Name, DateTimeOffset? CreatedTimeUtc);
