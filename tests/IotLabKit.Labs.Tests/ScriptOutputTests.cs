using IotLabKit.Labs.Scripting;

namespace IotLabKit.Labs.Tests;

/// <summary>One script's output: whole lines only, colours kept, waiting for a line, no mixing between scripts.</summary>
public sealed class ScriptOutputTests
{
    [Fact]
    public void Partial_writes_become_whole_lines_and_colour_lines_end_a_partial_one()
    {
        var output = new ScriptOutput();
        var announced = new List<ScriptLine>();
        output.LineWritten += announced.Add;

        output.Write("Message data: ");
        output.Write("{\"temperature\":70.33}\r\nnext");
        output.WriteLine("Message sent", ConsoleColor.Green);
        output.Write("tail");
        output.Flush();

        Assert.Equal(
            [new ScriptLine("Message data: {\"temperature\":70.33}", null), new ScriptLine("next", null),
             new ScriptLine("Message sent", ConsoleColor.Green), new ScriptLine("tail", null)],
            output.Lines);
        Assert.Equal(output.Lines, announced);
        Assert.Equal(["next", "Message sent", "tail"], output.LinesFrom(1).Select(l => l.Text));
    }

    [Fact]
    public async Task Waiting_for_a_line_completes_on_a_line_already_written_or_still_to_come()
    {
        var output = new ScriptOutput();
        output.Write("Cheese Cave device app.\n");
        Assert.Equal("Cheese Cave device app.", (await output.WaitForLineAsync("device app")).Text);

        var later = output.WaitForLineAsync("Message sent");
        Assert.False(later.IsCompleted);
        output.Write("Message ");
        Assert.False(later.IsCompleted);
        output.Write("sent\n");
        Assert.Equal("Message sent", (await later.WaitAsync(TimeSpan.FromSeconds(10))).Text);
    }

    [Fact]
    public async Task A_cancelled_wait_ends_as_cancelled()
    {
        var output = new ScriptOutput();
        using var cancel = new CancellationTokenSource();
        var wait = output.WaitForLineAsync("never", cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Fact]
    public async Task Console_output_goes_to_the_script_that_wrote_it_even_from_its_own_tasks()
    {
        var first = new ScriptOutput();
        var second = new ScriptOutput();
        // Each "script" writes from its own flow, half a line at a time, at the same time as the other.
        async Task Script(ScriptOutput output, string name)
        {
            ScriptConsole.Enter(output);
            for (var i = 0; i < 50; i++)
            {
                Console.Write($"{name} line ");
                await Task.Yield();
                await Task.Run(() => Console.WriteLine(i));
                ConsoleHelper.WriteGreenMessage($"{name} ok {i}");
            }
        }

        await Task.WhenAll(Task.Run(() => Script(first, "A")), Task.Run(() => Script(second, "B")));

        Assert.Equal(100, first.Count);
        Assert.Equal(100, second.Count);
        Assert.All(first.Lines, l => Assert.StartsWith("A ", l.Text, StringComparison.Ordinal));
        Assert.All(second.Lines, l => Assert.StartsWith("B ", l.Text, StringComparison.Ordinal));
        Assert.Equal("A line 7", first.Lines[14].Text);
        Assert.Equal(new ScriptLine("B ok 7", ConsoleColor.Green), second.Lines[15]);
        Assert.Null(ScriptConsole.Current);
    }
}
