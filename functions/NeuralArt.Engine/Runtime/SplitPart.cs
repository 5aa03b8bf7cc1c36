namespace NeuralArt.Engine.Runtime;

/// <summary>The parts of a pool-split gradient step, in the order they run (<see cref="GradientRunner.SplitPartTimes"/>).</summary>
public enum SplitPart
{
    /// <summary>The pre-pool forward graph (image to the pool's input).</summary>
    Pre,
    /// <summary>The managed max-pool.</summary>
    PoolForward,
    /// <summary>The rest graph (pool output to loss and the pool output's gradient).</summary>
    Rest,
    /// <summary>The managed pool backward (scatter-add).</summary>
    PoolBackward,
    /// <summary>The pre-pool backward graph (to the image gradient).</summary>
    Back,
}
