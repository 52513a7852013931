import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExecutionClock } from '../src/protocol/execution-clock.js';

describe('ExecutionClock (a cell counts Python time and stalls, not time waiting on the host)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires after limitMs of Python time with no host call', () => {
    const expired = vi.fn();
    new ExecutionClock(2_000, expired);
    vi.advanceTimersByTime(1_999);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('does not count waiting on calls that keep finishing: 600 calls of 200 ms, 16 at a time, under a 2 s limit', () => {
    const expired = vi.fn();
    const clock = new ExecutionClock(2_000, expired);
    vi.advanceTimersByTime(50); // Python builds the prompts
    let started = 0;
    let finished = 0;
    const inFlight: number[] = [];
    while (finished < 600) {
      while (inFlight.length < 16 && started < 600) {
        clock.callStarted();
        inFlight.push(started++);
      }
      vi.advanceTimersByTime(200 / 16);
      inFlight.shift();
      clock.callEnded();
      finished++;
    }
    vi.advanceTimersByTime(100); // Python joins the answers
    expect(expired).not.toHaveBeenCalled();
    expect(clock.pythonMs).toBeCloseTo(150, 0);
    clock.stop();
  });

  it('adds up Python time across calls: short compute between sub-calls still reaches the limit', () => {
    const expired = vi.fn();
    const clock = new ExecutionClock(2_000, expired);
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(600);
      clock.callStarted();
      vi.advanceTimersByTime(1_900); // a slow sub-call, under the stall limit
      clock.callEnded();
    }
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(200);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('a host call that never finishes is a stall: expires limitMs after the last progress', () => {
    const expired = vi.fn();
    const clock = new ExecutionClock(2_000, expired);
    clock.callStarted();
    clock.callStarted();
    vi.advanceTimersByTime(1_500);
    clock.callEnded(); // progress: a new stretch begins
    vi.advanceTimersByTime(1_999);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('progress inside one long call (prompts of a batch finishing) keeps it from stalling', () => {
    const expired = vi.fn();
    const clock = new ExecutionClock(2_000, expired);
    clock.callStarted(); // one llm_query_batched call
    for (let i = 0; i < 100; i++) {
      vi.advanceTimersByTime(1_500);
      clock.progress();
    }
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2_000); // then nothing finishes for the whole limit
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('stop() ends it for good; late call events are ignored', () => {
    const expired = vi.fn();
    const clock = new ExecutionClock(100, expired);
    clock.stop();
    clock.callStarted();
    clock.callEnded();
    clock.callEnded();
    vi.advanceTimersByTime(10_000);
    expect(expired).not.toHaveBeenCalled();
  });
});
