// The compilation pool (compile_pool.h). A call posts a job (a task count and a next-task
// counter); the caller and up to threads - 1 pool threads take tasks from the counter until it
// runs out, and the caller sleeps until the last task has returned. Pool threads are started
// when a job first wants more than exist, up to one fewer than the hardware threads (the
// caller is the last), and are never stopped: the pool is leaked so that no thread outlives
// the mutex it waits on at exit.
#include "vm/compile_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <cstdlib>

#include <pthread.h>
#include <sched.h>

namespace strata::vm {

namespace {

struct Job {
  size_t n = 0;
  const std::function<void(size_t)>* task = nullptr;
  unsigned helpers_left = 0;  // pool threads that may still join (under the pool's mutex)
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex mutex;
  std::condition_variable finished;

  // Takes tasks until none is left. A thread that arrives after the last task was taken does
  // nothing: the caller may have returned, and `task` with it.
  void work() {
    for (size_t i; (i = next.fetch_add(1)) < n;) {
      (*task)(i);
      if (done.fetch_add(1) + 1 == n) {
        std::lock_guard lock(mutex);
        finished.notify_all();
      }
    }
  }
};

class Pool {
 public:
  // Queues `job` for `helpers` pool threads, starting threads if there are too few.
  void post(const std::shared_ptr<Job>& job, unsigned helpers) {
    {
      std::lock_guard lock(mutex_);
      job->helpers_left = helpers;
      jobs_.push_back(job);
      for (; threads_ < helpers; ++threads_) start();
    }
    for (unsigned k = 0; k < helpers; ++k) wake_.notify_one();
  }

  // Takes `job` off the queue if no pool thread took its last place.
  void retire(const std::shared_ptr<Job>& job) {
    std::lock_guard lock(mutex_);
    auto it = std::find(jobs_.begin(), jobs_.end(), job);
    if (it != jobs_.end()) jobs_.erase(it);
  }

 private:
  // A new thread on another CPU than the caller's. Left to the scheduler, Linux puts it on
  // the caller's CPU, busy with the compile, and moves it to an idle one only at its next load
  // balancing, some 4 ms later on this project's machines (a thread created while its parent
  // computes ran 2.5-3.9 ms after pthread_create; with the caller's CPU left out of its
  // affinity, 0.12-0.14 ms): that was the whole of a mid-size module's compile, and why two
  // threads never paid there. Once running it takes back the process's CPUs (taskset and
  // cpusets are kept), so that it is never pinned.
  void start() {
    static cpu_set_t allowed;
    static const bool known = sched_getaffinity(0, sizeof allowed, &allowed) == 0;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    int here = sched_getcpu();
    if (known && here >= 0 && CPU_ISSET(here, &allowed) && CPU_COUNT(&allowed) > 1) {
      cpu_set_t others = allowed;
      CPU_CLR(here, &others);
      pthread_attr_setaffinity_np(&attr, sizeof others, &others);
    }
    pthread_t thread;
    auto body = [](void* self) -> void* {
      if (known) sched_setaffinity(0, sizeof allowed, &allowed);
      static_cast<Pool*>(self)->loop();
      return nullptr;
    };
    if (pthread_create(&thread, &attr, body, this) == 0) pthread_detach(thread);
    else std::thread([this] { loop(); }).detach();  // (affinity refused: a plain thread)
    pthread_attr_destroy(&attr);
  }

  void loop() {
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return !jobs_.empty(); });
        job = jobs_.front();
        if (--job->helpers_left == 0 || job->next.load() >= job->n) jobs_.pop_front();
      }
      job->work();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> jobs_;
  unsigned threads_ = 0;
};

Pool& pool() {
  static Pool* p = new Pool;  // leaked on purpose (see the top of this file)
  return *p;
}

// The CPUs this process may run on (sched_getaffinity: taskset and cpusets count), in one
// system call. std::thread::hardware_concurrency opens and reads
// /sys/devices/system/cpu/online instead, some 50 us of the first compile of a process here
// (issue 10 bounds a whole `strata run` of noop at 1 ms over a native no-op).
unsigned hardwareThreads() {
  static const unsigned n = [] {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return unsigned(std::max(1, CPU_COUNT(&set)));
    return std::max(1u, std::thread::hardware_concurrency());
  }();
  return n;
}

unsigned defaultThreads() {
  static const unsigned n = [] {
    const char* env = std::getenv("STRATA_COMPILE_THREADS");
    unsigned v = env ? unsigned(std::strtoul(env, nullptr, 10)) : 0;
    return v ? v : hardwareThreads();
  }();
  return n;
}

}  // namespace

unsigned compileThreads(size_t n, unsigned threads) {
  if (n <= 1) return 1;  // one task: the caller's thread, whatever the machine
  size_t t = threads ? threads : defaultThreads();
  return unsigned(std::max<size_t>(1, std::min({t, n, size_t(hardwareThreads())})));
}

void parallelFor(size_t n, unsigned threads, const std::function<void(size_t)>& task) {
  unsigned t = compileThreads(n, threads);
  if (t <= 1) {
    for (size_t i = 0; i < n; ++i) task(i);
    return;
  }
  auto job = std::make_shared<Job>();
  job->n = n;
  job->task = &task;
  pool().post(job, t - 1);
  job->work();
  {
    std::unique_lock lock(job->mutex);
    job->finished.wait(lock, [&] { return job->done.load() == n; });
  }
  pool().retire(job);
}

}  // namespace strata::vm
