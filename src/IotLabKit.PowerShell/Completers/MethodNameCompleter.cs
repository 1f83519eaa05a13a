using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace IotLabKit.PowerShell.Completers;

/// <summary>
/// Completes -Name of Invoke-DeviceMethod with the direct methods of the course's devices: the device-management
/// patterns simulated devices answer, and Lab 15's SetFanState. Devices may register any other name.
/// </summary>
public sealed class MethodNameCompleter : IArgumentCompleter
{
    private static readonly string[] Known = ["reboot", "factoryReset", "SetFanState"];

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = (wordToComplete ?? "").Trim('\'', '"');
        return Known
            .Where(name => name.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(name => new CompletionResult(name, name, CompletionResultType.ParameterValue, name));
    }
}
