using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Infrastructure;

/// <summary>
/// Options every command that sends work to a running host shares (<c>submit</c>, <c>sweep</c>): the file,
/// the kind, further inputs and parameters, where the host and its storage are, and where results go.
/// </summary>
public abstract class HostJobSettings : CommandSettings
{
    [CommandArgument(0, "<image>")]
    [Description("The photo (or, for a clip engine, the clip) to transform.")]
    public string Image { get; init; } = "";

    [CommandOption("-k|--kind <KIND>")]
    [Description("The job's kind, one of the host's engines (GET /api/engines), for example dream or style.")]
    [DefaultValue("dream")]
    public string Kind { get; init; } = "dream";

    [CommandOption("-i|--input <ROLE=NAME|FILE>")]
    [Description("A further input by role (repeatable): a file to upload, a library name or a blob container/name, for example -i style=starry-night.")]
    public string[] Inputs { get; init; } = [];

    [CommandOption("-p|--param <KEY=VALUE>")]
    [Description("An engine parameter (repeatable), for example -p iterations=5 -p octaves=3.")]
    public string[] Parameters { get; init; } = [];

    [CommandOption("-o|--output <DIR>")]
    [Description("Folder for the results.")]
    [DefaultValue("out")]
    public string Output { get; init; } = "out";

    [CommandOption("--url <URL>")]
    [Description("The API's base address (a local host or a Functions app).")]
    [DefaultValue("http://127.0.0.1:7071")]
    public string Url { get; init; } = "http://127.0.0.1:7071";

    [CommandOption("--key <KEY>")]
    [Description("Function key (default: NEURALART_FUNCTION_KEY, else ~/.neuralart/function.key).")]
    public string? Key { get; init; }

    [CommandOption("--storage <CONNECTION>")]
    [Description("Storage to upload to (default: NEURALART_STORAGE, else AZURITE_CONNECTION_STRING, else Azurite).")]
    public string? Storage { get; init; }

    [CommandOption("--chunk-seconds <S>")]
    [Description("Time budget per chunk (default: the host's).")]
    public double? ChunkSeconds { get; init; }

    public override ValidationResult Validate()
    {
        if (!File.Exists(Image)) return ValidationResult.Error($"There is no file '{Image}'.");
        foreach (var input in Inputs)
        {
            if (input.Split('=', 2) is not [{ Length: > 0 }, { Length: > 0 }])
                return ValidationResult.Error($"--input '{input}' is not of the form role=value.");
        }

        foreach (var parameter in Parameters)
        {
            if (!parameter.Contains('=') || parameter.StartsWith('='))
                return ValidationResult.Error($"--param '{parameter}' is not of the form key=value.");
        }

        return ValidationResult.Success();
    }
}
