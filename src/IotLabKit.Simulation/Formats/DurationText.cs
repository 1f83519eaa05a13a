using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml;

namespace IotLabKit.Simulation.Formats;

/// <summary>
/// The one place for how a device reads a duration from its twin (<c>telemetryConfig.sendFrequency</c>) and writes
/// one back: a number with a unit (<c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1.5h</c>, <c>1d</c>), a plain number of
/// seconds (JSON number or text), an ISO 8601 duration (<c>PT5M</c>), or <c>hh:mm:ss</c>.
/// </summary>
internal static partial class DurationText
{
    /// <summary>Reads a twin value as a duration within the device's limits.</summary>
    /// <param name="value">The desired value (a JSON string or number).</param>
    /// <param name="duration">The duration, when valid.</param>
    /// <param name="error">Why the value was refused, for the reported <c>error</c>.</param>
    public static bool TryParse(JsonNode? value, out TimeSpan duration, out string error)
    {
        duration = default;
        if (value is not JsonValue scalar)
        {
            error = $"sendFrequency must be a duration such as \"30s\", \"5m\" or \"PT1H\", not {Describe(value)}.";
            return false;
        }
        double? seconds = null;
        if (scalar.GetValueKind() == JsonValueKind.Number) seconds = scalar.GetValue<double>();
        else if (scalar.GetValueKind() == JsonValueKind.String) seconds = ParseText(scalar.GetValue<string>().Trim());
        if (seconds is not { } s || double.IsNaN(s) || double.IsInfinity(s))
        {
            error = $"'{Text(scalar)}' is not a duration: use a number with ms, s, m, h or d (\"30s\", \"5m\"), an ISO 8601 duration (\"PT5M\") or a number of seconds.";
            return false;
        }
        var min = SimulatedDeviceOptions.MinimumTelemetryInterval;
        var max = SimulatedDeviceOptions.MaximumTelemetryInterval;
        if (s < min.TotalSeconds || s > max.TotalSeconds)
        {
            error = $"'{Text(scalar)}' is out of range: the device sends at most every {Format(min)} and at least every {Format(max)}.";
            return false;
        }
        duration = TimeSpan.FromSeconds(s);
        error = "";
        return true;
    }

    /// <summary>Writes a duration the way people type it: <c>5s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, <c>1500ms</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration.Ticks % TimeSpan.TicksPerSecond != 0)
            return ((long)Math.Round(duration.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";
        var seconds = (long)duration.TotalSeconds;
        if (seconds != 0 && seconds % 86400 == 0) return (seconds / 86400).ToString(CultureInfo.InvariantCulture) + "d";
        if (seconds != 0 && seconds % 3600 == 0) return (seconds / 3600).ToString(CultureInfo.InvariantCulture) + "h";
        if (seconds != 0 && seconds % 60 == 0) return (seconds / 60).ToString(CultureInfo.InvariantCulture) + "m";
        return seconds.ToString(CultureInfo.InvariantCulture) + "s";
    }

    private static double? ParseText(string text)
    {
        if (text.Length == 0) return null;
        var match = WithUnit().Match(text);
        if (match.Success)
        {
            var number = double.Parse(match.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            return match.Groups["u"].Value.ToLowerInvariant() switch
            {
                "" or "s" or "sec" or "secs" or "second" or "seconds" => number,
                "ms" => number / 1000,
                "m" or "min" or "mins" or "minute" or "minutes" => number * 60,
                "h" or "hr" or "hrs" or "hour" or "hours" => number * 3600,
                "d" or "day" or "days" => number * 86400,
                _ => null,
            };
        }
        if (text.StartsWith('P') || text.StartsWith('p'))
        {
            try { return XmlConvert.ToTimeSpan(text.ToUpperInvariant()).TotalSeconds; }
            catch (FormatException) { return null; }
            catch (OverflowException) { return null; }
        }
        return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var span) ? span.TotalSeconds : null;
    }

    private static string Text(JsonValue value)
        => value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();

    private static string Describe(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        _ => value.ToJsonString(),
    };

    [GeneratedRegex(@"^(?<n>[0-9]+(\.[0-9]+)?)\s*(?<u>[a-zA-Z]*)$")]
    private static partial Regex WithUnit();
}
