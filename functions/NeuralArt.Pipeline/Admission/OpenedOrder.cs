using NeuralArt.Contract;
using NeuralArt.Pipeline.Jobs;

namespace NeuralArt.Pipeline.Admission;

/// <summary>
/// An order past the door's checks that do not depend on its parameters (<see cref="JobDoor.OpenAsync"/>):
/// its engine and descriptor under this host's caps, the resolved inputs and their headers. Plans
/// of one or many parameter sets (a sweep's cells) are made against it without reading storage again.
/// </summary>
public sealed record OpenedOrder(
    JobOrder Order,
    IArtworkEngine Engine,
    EngineDescriptor Descriptor,
    EngineLimits Limits,
    IReadOnlyList<JobInput> Inputs,
    IReadOnlyList<InputHeader> Headers);
