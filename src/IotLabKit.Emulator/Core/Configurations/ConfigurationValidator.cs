using IotLabKit.Protocol;
using IotLabKit.Query;
using QueryCollection = IotLabKit.Query.QueryCollection;

namespace IotLabKit.Emulator.Core.Configurations;

/// <summary>
/// IoT Hub's rules for configurations (§11 of the protocol notes), each in one place: ids, labels, metric names,
/// the limits, and the parsing of target conditions and metric queries with the one query engine. Every
/// violation is a <see cref="HubException"/> with the hub's configuration error code and a message that says
/// what to change.
/// </summary>
public static class ConfigurationValidator
{
    /// <summary>Most configurations a hub holds (standard tier).</summary>
    public const int MaxConfigurations = 100;

    /// <summary>Most custom metrics per configuration.</summary>
    public const int MaxCustomMetrics = 5;

    /// <summary>Longest id, label name or value, and metric name.</summary>
    public const int MaxNameLength = 128;

    // The punctuation IoT Hub documents for label names and values; ids use the same set (the portal and the CLI
    // allow no more), lowercase only.
    private const string Punctuation = "-:.+%_#*?!(),=@;'";
    private const string IdPunctuation = "-:+%_#*?!(),=@;'";

    /// <summary>Checks a configuration id; throws <c>ArgumentInvalid</c>.</summary>
    public static void RequireValidId(string? id)
    {
        if (string.IsNullOrEmpty(id))
            throw HubException.Invalid("The configuration id is empty.");
        if (id.Length > MaxNameLength)
            throw HubException.Invalid($"The configuration id is {id.Length} characters long; the limit is {MaxNameLength}.");
        foreach (var c in id)
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9' || IdPunctuation.Contains(c)) continue;
            var what = c is >= 'A' and <= 'Z' ? $"the uppercase letter '{c}' (configuration ids are lowercase)"
                : c == ' ' ? "a space" : char.IsControl(c) ? $"the control character U+{(int)c:X4}" : $"'{c}'";
            throw HubException.Invalid($"The configuration id '{id}' is invalid: it contains {what}. " +
                $"Use up to {MaxNameLength} lowercase letters, digits and {IdPunctuation}.");
        }
    }

    /// <summary>Checks a label name or value; throws <c>ArgumentInvalid</c>.</summary>
    public static void RequireValidLabel(string name, string? value)
    {
        RequireName(name, "label name", IotHubErrorCode.ArgumentInvalid);
        if (value is null) throw HubException.Invalid($"The label '{name}' has no value; label values are strings.");
        RequireName(value, $"value of label '{name}'", IotHubErrorCode.ArgumentInvalid);
    }

    /// <summary>Checks a custom metric's name; throws <c>InvalidConfigurationCustomMetricsQuery</c>.</summary>
    public static void RequireValidMetricName(string name)
        => RequireName(name, "custom metric name", IotHubErrorCode.InvalidConfigurationCustomMetricsQuery);

    /// <summary>Checks a priority; throws <c>ArgumentInvalid</c>.</summary>
    public static void RequireValidPriority(long priority)
    {
        if (priority is < 0 or > int.MaxValue)
            throw HubException.Invalid($"The priority {priority} is invalid: use a whole number from 0 to {int.MaxValue} (higher wins).");
    }

    /// <summary>
    /// Parses a target condition: empty targets nothing, <c>*</c> everything, else a WHERE body over device twins.
    /// Throws <c>InvalidConfigurationTargetCondition</c> with the query engine's message.
    /// </summary>
    public static QueryCondition? ParseTargetCondition(string? condition)
    {
        if (string.IsNullOrWhiteSpace(condition)) return null;
        QueryCondition parsed;
        try { parsed = QueryParser.ParseCondition(condition); }
        catch (QueryException ex)
        {
            throw new HubException(IotHubErrorCode.InvalidConfigurationTargetCondition, $"The target condition is invalid: {ex.Message}");
        }
        if (parsed.Collection == QueryCollection.DevicesModules)
            throw new HubException(IotHubErrorCode.InvalidConfigurationTargetCondition,
                "Module configurations (a target condition FROM devices.modules) are not supported by the emulator yet; " +
                "target device twins (for example deviceId='sensor-th-0155', tags.environment='test' or *).");
        if (parsed.Collection != QueryCollection.Devices)
            throw new HubException(IotHubErrorCode.InvalidConfigurationTargetCondition,
                $"The target condition must select device twins, not {parsed.Collection.ToQueryText()}.");
        return parsed;
    }

    /// <summary>
    /// Parses a custom metric query (<c>SELECT deviceId FROM devices WHERE …</c>); throws
    /// <c>InvalidConfigurationCustomMetricsQuery</c> with the query engine's message.
    /// </summary>
    public static IotHubQuery ParseMetricQuery(string name, string? query)
    {
        if (string.IsNullOrWhiteSpace(query))
            throw new HubException(IotHubErrorCode.InvalidConfigurationCustomMetricsQuery, $"The custom metric '{name}' has no query.");
        IotHubQuery parsed;
        try { parsed = QueryParser.Parse(query); }
        catch (QueryException ex)
        {
            throw new HubException(IotHubErrorCode.InvalidConfigurationCustomMetricsQuery, $"The query of custom metric '{name}' is invalid: {ex.Message}");
        }
        if (parsed.Collection != QueryCollection.Devices)
            throw new HubException(IotHubErrorCode.InvalidConfigurationCustomMetricsQuery,
                $"The query of custom metric '{name}' must select FROM devices (device configurations count device twins), not {parsed.Collection.ToQueryText()}.");
        return parsed;
    }

    /// <summary>Checks the number of custom metrics.</summary>
    public static void RequireMetricCount(int count)
    {
        if (count > MaxCustomMetrics)
            throw new HubException(IotHubErrorCode.InvalidConfigurationCustomMetricsQuery,
                $"A configuration may have at most {MaxCustomMetrics} custom metrics; this one has {count}.");
    }

    /// <summary>The error for a create beyond <see cref="MaxConfigurations"/>.</summary>
    public static HubException CountLimitExceeded() => new(IotHubErrorCode.ConfigurationCountLimitExceeded,
        $"Number of configurations exceeds the maximum quota {MaxConfigurations} for this IoT hub. Delete configurations you no longer need (Remove-AutoConfiguration).");

    /// <summary>
    /// <c>POST /configurations/testQueries</c>: the error of the target condition ("" when it parses) and of each
    /// custom metric query that does not (only those are listed).
    /// </summary>
    public static (string TargetConditionError, IReadOnlyList<KeyValuePair<string, string>> MetricErrors) TestQueries(
        string? targetCondition, IEnumerable<KeyValuePair<string, string?>> metricQueries)
    {
        var targetError = "";
        try { ParseTargetCondition(targetCondition); }
        catch (HubException ex) { targetError = ex.Message; }
        var metricErrors = new List<KeyValuePair<string, string>>();
        foreach (var (name, query) in metricQueries)
        {
            try { ParseMetricQuery(name, query); }
            catch (HubException ex) { metricErrors.Add(new(name, ex.Message)); }
        }
        return (targetError, metricErrors);
    }

    private static void RequireName(string text, string what, IotHubErrorCode code)
    {
        if (text.Length == 0) throw new HubException(code, $"The {what} is empty.");
        if (text.Length > MaxNameLength)
            throw new HubException(code, $"The {what} '{text[..20]}…' is {text.Length} characters long; the limit is {MaxNameLength}.");
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c) || Punctuation.Contains(c)) continue;
            throw new HubException(code, $"The {what} '{text}' contains '{c}'; use ASCII letters, digits and {Punctuation}.");
        }
    }
}
