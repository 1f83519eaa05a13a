using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using IotLabKit.PowerShell.Simulation;

namespace IotLabKit.PowerShell.Completers;

/// <summary>Completes -DeviceId with the ids of the simulated devices running in this session.</summary>
public sealed class SimulatedDeviceIdCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = CompletionText.Pattern(wordToComplete);
        return SimulationSession.All
            .Select(d => d.DeviceId)
            .Where(pattern.IsMatch)
            .Select(id => new CompletionResult(CompletionText.Quote(id), id, CompletionResultType.ParameterValue, id))
            .ToList();
    }
}
